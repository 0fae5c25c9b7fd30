"""Rate limits and logs count the address a request really came from: the connection's peer,
unless that peer is a proxy we trust (TRUSTED_PROXIES), and then the address that proxy saw.
A client cannot pick its own bucket by sending X-Forwarded-For."""

from __future__ import annotations

from ipaddress import ip_network

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.client_address import forwarded_client
from api.main import create_app
from bot.config import Settings
from tests.api.conftest import production_settings

PROXY = "10.0.0.2"
TRUSTED = (ip_network(PROXY), ip_network("10.1.0.0/16"))


def _peer(kb, address: str, **settings) -> TestClient:
    """A client whose connection comes from ``address``, limited to two requests a minute, unkeyed."""
    app = create_app(kb, Settings(app_env="development", rate_limit_per_minute=2, **settings))
    return TestClient(app, client=(address, 50000))


# --- the rule -----------------------------------------------------------------------------
def test_without_trusted_proxies_the_peer_is_the_client_whatever_the_header_says():
    assert forwarded_client("203.0.113.7", ["198.51.100.1"], ()) == "203.0.113.7"


def test_loopback_is_not_trusted_unless_listed():
    assert forwarded_client("127.0.0.1", ["198.51.100.1"], TRUSTED) == "127.0.0.1"


def test_behind_a_trusted_proxy_the_client_is_the_right_most_address_it_did_not_write_itself():
    # The client wrote "192.0.2.66" (a lie); the proxy appended the address it saw.
    assert forwarded_client(PROXY, ["192.0.2.66", "198.51.100.1"], TRUSTED) == "198.51.100.1"


def test_a_chain_of_trusted_proxies_is_walked_back_to_the_first_untrusted_address():
    assert forwarded_client(PROXY, ["192.0.2.66", "198.51.100.1", "10.1.4.4"], TRUSTED) == "198.51.100.1"


def test_a_trusted_proxy_without_the_header_is_itself_the_client():
    assert forwarded_client(PROXY, [], TRUSTED) == PROXY


def test_an_entry_that_is_not_an_address_stops_at_the_nearest_trusted_proxy():
    assert forwarded_client(PROXY, ["198.51.100.1", "unknown"], TRUSTED) == PROXY


@pytest.mark.parametrize(("entry", "client"), [
    ("198.51.100.1:4711", "198.51.100.1"), ("[2001:db8::1]:443", "2001:db8::1"), (" 2001:db8::1 ", "2001:db8::1"),
])
def test_ports_and_spaces_in_the_header_are_dropped(entry, client):
    assert forwarded_client(PROXY, [entry], TRUSTED) == client


def test_an_ipv4_peer_written_as_ipv6_is_still_recognised_as_trusted():
    assert forwarded_client("::ffff:10.0.0.2", ["198.51.100.1"], TRUSTED) == "198.51.100.1"


# --- the app ------------------------------------------------------------------------------
def test_x_forwarded_for_from_an_untrusted_peer_is_limited_by_the_peer_address(kb):
    with _peer(kb, "127.0.0.1") as c:
        statuses = [c.get("/v1/areas", headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code for i in range(3)]
    assert statuses == [200, 200, 429]


def test_failed_key_attempts_from_an_untrusted_peer_are_limited_by_the_peer_address(kb):
    app = create_app(kb, production_settings(rate_limit_per_minute=2))
    with TestClient(app, client=("203.0.113.7", 50000)) as c:
        statuses = [c.get("/v1/areas", headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code for i in range(3)]
    assert statuses == [401, 401, 429]


def test_from_a_trusted_proxy_the_forwarded_address_is_limited(kb):
    with _peer(kb, PROXY, trusted_proxies=[PROXY]) as c:
        first = [c.get("/v1/areas", headers={"X-Forwarded-For": "198.51.100.1"}).status_code for _ in range(3)]
        other = c.get("/v1/areas", headers={"X-Forwarded-For": "198.51.100.2"}).status_code
        lying = c.get("/v1/areas", headers={"X-Forwarded-For": "192.0.2.66, 198.51.100.1"}).status_code
    assert first == [200, 200, 429]
    assert other == 200  # another client behind the same proxy has its own bucket
    assert lying == 429  # what the client wrote to the left of the proxy's entry is not believed


def test_the_access_log_names_the_client_address(kb, api_caplog):
    with _peer(kb, PROXY, trusted_proxies=[PROXY]) as c:
        c.get("/v1/areas", headers={"X-Forwarded-For": "198.51.100.1"})
    access = [r for r in api_caplog.records if r.name == "api.access"]
    assert access[-1].fields["client"] == "198.51.100.1"


# --- the setting --------------------------------------------------------------------------
def test_no_proxy_is_trusted_by_default(monkeypatch):
    monkeypatch.delenv("TRUSTED_PROXIES", raising=False)
    assert Settings(_env_file=None).trusted_proxies == []


def test_trusted_proxies_are_comma_separated_addresses_or_networks(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.2, 10.1.0.0/16,2001:db8::/32")
    assert Settings(_env_file=None).trusted_proxies == ["10.0.0.2", "10.1.0.0/16", "2001:db8::/32"]


def test_a_mistyped_trusted_proxy_is_refused_at_start_up(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.2,proxy.local")
    with pytest.raises(ValidationError, match="'proxy.local' is not an IP address or network"):
        Settings(_env_file=None)
