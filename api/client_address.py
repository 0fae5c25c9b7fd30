"""The address a request comes from, for rate limits and logs.

It is the connection's peer, unless that peer is one of ``TRUSTED_PROXIES``: then it is the
right-most address in X-Forwarded-For that is not itself a trusted proxy. Each proxy appends
the address it was connected from, so that one was written by a proxy we trust; anything
further left was written by the client and is never believed. With no trusted proxies (the
default) the header is ignored, so a client cannot choose its own rate-limit bucket.

The app decides this itself, so uvicorn must hand it the real peer: run it with
``--no-proxy-headers`` (by default uvicorn rewrites the peer from X-Forwarded-For for any
request from 127.0.0.1).
"""

from __future__ import annotations

from functools import lru_cache
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

from starlette.requests import Request
from starlette.types import Scope

Network = IPv4Network | IPv6Network
UNKNOWN = "unknown"


@lru_cache(maxsize=16)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ip_network(e, strict=False) for e in entries)


def _ip(text: str) -> IPv4Address | IPv6Address | None:
    """An address from a header or the peer: ``1.2.3.4``, ``1.2.3.4:5678``, ``[::1]:80``, ``::1``;
    None for anything else (``unknown``, a name, junk). IPv4-mapped IPv6 is read as IPv4."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        found = ip_address(text)
    except ValueError:
        return None
    if isinstance(found, IPv6Address) and found.ipv4_mapped is not None:
        return found.ipv4_mapped
    return found


def _is_trusted(address: IPv4Address | IPv6Address | None, trusted: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in trusted)


def forwarded_client(peer: str | None, forwarded_for: list[str], trusted: tuple[Network, ...]) -> str:
    """The client's address given the connection's ``peer``, the X-Forwarded-For entries (left
    to right) and the trusted proxies. If an entry is not an address, the nearest proxy we
    trust is the best we know; if every entry is a trusted proxy, the left-most is the client."""
    if not peer:
        return UNKNOWN
    nearest = _ip(peer)
    if not _is_trusted(nearest, trusted):
        return str(nearest) if nearest is not None else peer
    for entry in reversed(forwarded_for):
        hop = _ip(entry)
        if hop is None:
            break
        nearest = hop
        if not _is_trusted(hop, trusted):
            break
    return str(nearest)


def _forwarded_for(scope: Scope) -> list[str]:
    values = [v.decode("latin-1") for k, v in scope.get("headers") or [] if k.lower() == b"x-forwarded-for"]
    return [entry for value in values for entry in value.split(",") if entry.strip()]


def address_of(scope: Scope) -> str:
    """The client's address for an ASGI ``scope`` (middleware has no Request), using the
    app's ``settings.trusted_proxies``; an app without settings trusts no proxy."""
    client = scope.get("client")
    settings = getattr(getattr(scope.get("app"), "state", None), "settings", None)
    trusted = _networks(tuple(getattr(settings, "trusted_proxies", ()) or ()))
    return forwarded_client(client[0] if client else None, _forwarded_for(scope), trusted)


def client_address(request: Request) -> str:
    """The client's address for rate limits and logs (see the module's docstring)."""
    return address_of(request.scope)
