"""Who may talk to the bot, and the bot's own token: Bot Framework authentication.

Incoming: every activity carries a JWT from the Bot Connector. It is accepted only when
its signature verifies against a key from the OpenID metadata's JWKS document, its
audience is our app id, its issuer is the Bot Framework (or our tenant, single-tenant), it
has not expired (5 minutes' clock skew, as Microsoft's SDKs allow), its ``serviceUrl`` claim
equals the activity's, and the key is endorsed for the activity's channel.

Outgoing: the bot's client-credentials token, fetched from the registration's tenant and
cached until shortly before it expires.

The network is injected (``fetch`` callables), so this module needs neither Rasa nor an
HTTP library, and the unit tests drive it with a local key and a fake clock.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import jwt
from jwt.algorithms import RSAAlgorithm

from rasa_addons.channels.teams_config import TeamsConfig

logger = logging.getLogger(__name__)

ALLOWED_ALGORITHMS = ("RS256", "RS384", "RS512")
CLOCK_SKEW_SECONDS = 300
MIN_REFRESH_SECONDS = 300
RETRY_AFTER_FAILURE_SECONDS = 10
BEARER = re.compile(r"^Bearer\s+(\S+)$", re.IGNORECASE)

GetJson = Callable[[str], Awaitable[Any]]


class AuthError(Exception):
    """The request is refused; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


class BadKeyDocument(Exception):
    """The OpenID metadata or JWKS document is not what Microsoft publishes."""


class KeysUnavailable(AuthError):
    """No signing keys could be fetched, so no token can be checked (the connector retries)."""

    def __init__(self, detail: str) -> None:
        super().__init__(503, detail)


@dataclass(frozen=True)
class KeySet:
    """The signing keys by key id, and the algorithms the metadata says it signs with."""

    keys: Mapping[str, Mapping[str, Any]]
    algorithms: tuple[str, ...] = ALLOWED_ALGORITHMS


async def fetch_key_set(get_json: GetJson, metadata_url: str) -> KeySet:
    """OpenID metadata -> its ``jwks_uri`` -> the keys, as Microsoft's SDKs do."""
    metadata = await get_json(metadata_url)
    if not isinstance(metadata, dict) or not isinstance(metadata.get("jwks_uri"), str):
        raise BadKeyDocument(f"OpenID metadata at {metadata_url} has no jwks_uri")
    document = await get_json(metadata["jwks_uri"])
    keys = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(keys, list):
        raise BadKeyDocument(f"JWKS document at {metadata['jwks_uri']} has no keys list")
    by_id = {k["kid"]: k for k in keys if isinstance(k, dict) and isinstance(k.get("kid"), str)}
    advertised = metadata.get("id_token_signing_alg_values_supported")
    algorithms = ALLOWED_ALGORITHMS
    if isinstance(advertised, list):
        algorithms = tuple(a for a in ALLOWED_ALGORITHMS if a in advertised)
    return KeySet(by_id, algorithms)


@dataclass
class KeyCache:
    """Signing keys fetched on first use (not at start-up: it must start offline) and kept
    for ``ttl`` seconds. An unknown key id triggers one early refresh (keys roll over), at
    most every ``min_refresh`` seconds so a stream of forged key ids cannot hammer Microsoft.
    When a fetch fails, the keys already held are kept and the next try waits ``retry_after``.
    """

    fetch: Callable[[], Awaitable[KeySet]]
    ttl: float
    clock: Callable[[], float] = time.monotonic
    min_refresh: float = MIN_REFRESH_SECONDS
    retry_after: float = RETRY_AFTER_FAILURE_SECONDS
    _keys: KeySet | None = None
    _fetched_at: float = float("-inf")
    _tried_at: float = float("-inf")
    _lock: asyncio.Lock | None = field(default=None, repr=False)

    @property
    def cached(self) -> int:
        return len(self._keys.keys) if self._keys else 0

    async def key(self, kid: str) -> tuple[Mapping[str, Any] | None, tuple[str, ...]]:
        """The key with id ``kid`` (``None`` if unknown) and the allowed algorithms."""
        now = self.clock()
        if self._due(now, kid):
            await self._refresh(now)
        if self._keys is None:
            raise KeysUnavailable("The Bot Framework signing keys could not be fetched; try again later.")
        return self._keys.keys.get(kid), self._keys.algorithms

    def _due(self, now: float, kid: str) -> bool:
        since_try = now - self._tried_at
        if self._keys is None or now - self._fetched_at >= self.ttl:
            return since_try >= self.retry_after
        return kid not in self._keys.keys and since_try >= self.min_refresh

    async def _refresh(self, now: float) -> None:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._tried_at >= now:  # another request refreshed while we waited
                return
            self._tried_at = self.clock()
            try:
                self._keys = await self.fetch()
                self._fetched_at = self.clock()
                logger.info("Teams: %d signing keys fetched", len(self._keys.keys))
            except Exception as exc:  # noqa: BLE001 - any failure: keep what we have
                logger.warning("Teams: signing keys could not be fetched (%s: %s); %s",
                               type(exc).__name__, exc,
                               "keeping the cached keys" if self._keys else "no keys yet")


def bearer_token(header: str | None) -> str:
    if not header:
        raise AuthError(401, "No Authorization header: Bot Framework requests carry a Bearer token.")
    match = BEARER.match(header.strip())
    if not match:
        raise AuthError(401, "The Authorization header is not a Bearer token.")
    return match.group(1)


def _same_url(a: str, b: str) -> bool:
    return a.rstrip("/") == b.rstrip("/")


def verify_token(token: str, key: Mapping[str, Any] | None, algorithms: tuple[str, ...],
                 config: TeamsConfig, activity: Mapping[str, Any]) -> dict[str, Any]:
    """The token's claims when every check passes; otherwise :class:`AuthError` (401/403)."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise AuthError(401, "The token is not a JWT.") from None
    alg = header.get("alg")
    if alg not in algorithms:
        raise AuthError(401, f"The token's algorithm {alg!r} is not one the Bot Framework signs with.")
    if key is None:
        raise AuthError(401, "The token is signed with a key the Bot Framework does not publish.")
    try:
        public_key = RSAAlgorithm.from_jwk(dict(key))
        claims = jwt.decode(
            token, key=public_key, algorithms=[alg], audience=config.app_id,
            issuer=config.valid_issuers, leeway=CLOCK_SKEW_SECONDS,
            options={"require": ["exp", "iss", "aud"]},
        )
    except jwt.ExpiredSignatureError:
        raise AuthError(401, "The token has expired.") from None
    except jwt.InvalidAudienceError:
        raise AuthError(401, "The token is not for this bot (audience).") from None
    except jwt.InvalidIssuerError:
        raise AuthError(401, "The token was not issued by the Bot Framework.") from None
    except jwt.InvalidSignatureError:
        raise AuthError(401, "The token's signature does not verify.") from None
    except (jwt.PyJWTError, ValueError, TypeError) as exc:
        raise AuthError(401, f"The token is not valid ({type(exc).__name__}).") from None
    claimed = claims.get("serviceurl", claims.get("serviceUrl"))
    service_url = activity.get("serviceUrl")
    if not isinstance(claimed, str) or not isinstance(service_url, str) or not _same_url(claimed, service_url):
        raise AuthError(401, "The token's serviceUrl does not match the activity's.")
    endorsements = key.get("endorsements")
    channel = activity.get("channelId")
    if isinstance(endorsements, list) and channel and channel not in endorsements:
        raise AuthError(403, f"The signing key is not endorsed for channel {channel!r}.")
    return claims


async def authenticate(header: str | None, activity: Mapping[str, Any], keys: KeyCache,
                       config: TeamsConfig) -> dict[str, Any]:
    """Check an incoming request; claims when accepted, :class:`AuthError` when refused."""
    token = bearer_token(header)
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except jwt.PyJWTError:
        raise AuthError(401, "The token is not a JWT.") from None
    if not isinstance(kid, str):
        raise AuthError(401, "The token names no signing key (kid).")
    key, algorithms = await keys.key(kid)
    return verify_token(token, key, algorithms, config, activity)


@dataclass
class TokenCache:
    """The bot's access token for the Bot Connector, fetched when needed and reused until
    ``margin`` seconds before it expires. ``fetch`` returns ``(token, expires_in_seconds)``.
    """

    fetch: Callable[[], Awaitable[tuple[str, float]]]
    clock: Callable[[], float] = time.monotonic
    margin: float = 300
    _token: str | None = None
    _expires_at: float = float("-inf")
    _lock: asyncio.Lock | None = field(default=None, repr=False)

    async def token(self) -> str:
        if self._token and self.clock() < self._expires_at:
            return self._token
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._token and self.clock() < self._expires_at:
                return self._token
            token, expires_in = await self.fetch()
            # A short-lived token is reused for half its life rather than not at all.
            keep = expires_in - self.margin if expires_in > 2 * self.margin else expires_in / 2
            self._token, self._expires_at = token, self.clock() + keep
            return token

    def forget(self) -> None:
        """Drop the token (the connector refused it), so the next send fetches a new one."""
        self._token, self._expires_at = None, float("-inf")

    @property
    def cached(self) -> bool:
        return bool(self._token) and self.clock() < self._expires_at
