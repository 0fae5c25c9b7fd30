"""Who may talk to the bot: Bot Framework token checks, key caching, the bot's own token,
and the settings that turn the channel on. No Rasa, no network: a local RSA key signs the
tokens and the fetches are fakes with a clock we move by hand.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from rasa_addons.channels.teams_auth import (
    AuthError,
    KeyCache,
    KeySet,
    KeysUnavailable,
    TokenCache,
    authenticate,
    bearer_token,
    fetch_key_set,
    verify_token,
)
from rasa_addons.channels.teams_config import TeamsConfig, TeamsConfigError
from tests.channels.teams_support.fake_microsoft import Signer, new_rsa_key, public_jwk

APP_ID = "2f0b6c1e-1111-4222-8333-944455556666"
TENANT = "0d3c2b1a-aaaa-4bbb-8ccc-ddddeeeeffff"
SERVICE_URL = "https://smba.trafficmanager.net/uk/"
KEY = new_rsa_key()
OTHER_KEY = new_rsa_key()
KID = "key-1"

MULTI = TeamsConfig(app_id=APP_ID, app_password="secret")
SINGLE = TeamsConfig(app_id=APP_ID, app_password="secret", tenant_id=TENANT)
ACTIVITY = {"type": "message", "serviceUrl": SERVICE_URL, "channelId": "msteams"}
JWK = public_jwk(KEY, KID, endorsements=["msteams"])
ALGS = ("RS256",)


def token(**overrides) -> str:
    return Signer(KEY, KID, APP_ID).token(SERVICE_URL, **overrides)


def check(tok: str, config: TeamsConfig = MULTI, activity=ACTIVITY, key=JWK) -> dict:
    return verify_token(tok, key, ALGS, config, activity)


def refused(tok: str, **kwargs) -> AuthError:
    with pytest.raises(AuthError) as caught:
        check(tok, **kwargs)
    return caught.value


# -- incoming tokens -------------------------------------------------------------------------

def test_a_token_signed_by_the_bot_framework_for_this_bot_is_accepted():
    claims = check(token())
    assert claims["aud"] == APP_ID and claims["iss"] == "https://api.botframework.com"


def test_an_unsigned_token_is_refused():
    unsigned = jwt.encode({"iss": "https://api.botframework.com", "aud": APP_ID, "serviceurl": SERVICE_URL,
                           "exp": int(time.time()) + 600}, key=None, algorithm="none", headers={"kid": KID})
    assert refused(unsigned).status == 401


def test_a_token_signed_with_another_key_is_refused():
    forged = Signer(OTHER_KEY, KID, APP_ID).token(SERVICE_URL)
    error = refused(forged)
    assert error.status == 401 and "signature" in error.detail


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_a_token_signed_with_the_public_key_as_an_hmac_secret_is_refused():
    """The classic algorithm-confusion forgery (PyJWT will not even make one, so by hand)."""
    public_pem = KEY.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": KID}).encode())
    body = _b64(json.dumps({"iss": "https://api.botframework.com", "aud": APP_ID, "serviceurl": SERVICE_URL,
                            "exp": int(time.time()) + 600}).encode())
    signature = _b64(hmac.new(public_pem, f"{header}.{body}".encode(), hashlib.sha256).digest())
    error = refused(f"{header}.{body}.{signature}")
    assert error.status == 401 and "algorithm" in error.detail


def test_a_token_for_another_bot_is_refused():
    error = refused(token(aud="some-other-app-id"))
    assert error.status == 401 and "audience" in error.detail


def test_a_token_from_another_issuer_is_refused():
    assert refused(token(iss="https://evil.example")).status == 401


def test_an_expired_token_is_refused_beyond_five_minutes_of_clock_skew():
    now = int(time.time())
    assert refused(token(exp=now - 301, nbf=now - 3600, iat=now - 3600)).status == 401
    assert check(token(exp=now - 200, nbf=now - 3600, iat=now - 3600))  # within the skew


def test_a_token_without_expiry_is_refused():
    assert refused(token(exp=None)).status == 401


def test_the_service_url_claim_must_match_the_activity():
    assert "serviceUrl" in refused(token(serviceurl="https://attacker.example/")).detail
    assert refused(token(serviceurl=None)).status == 401
    assert check(token(serviceurl=SERVICE_URL.rstrip("/")))  # a trailing slash is not a difference


def test_a_key_not_endorsed_for_the_activity_channel_is_forbidden():
    error = refused(token(), activity={**ACTIVITY, "channelId": "slack"})
    assert error.status == 403


def test_a_key_the_bot_framework_does_not_publish_is_refused():
    assert refused(token(), key=None).status == 401


def test_tenant_issuers_are_accepted_only_for_a_single_tenant_registration():
    for issuer in (f"https://sts.windows.net/{TENANT}/", f"https://login.microsoftonline.com/{TENANT}/v2.0"):
        assert check(token(iss=issuer), config=SINGLE)
        assert refused(token(iss=issuer)).status == 401  # multi-tenant: Bot Framework issuer only
    assert refused(token(iss="https://sts.windows.net/another-tenant/"), config=SINGLE).status == 401


@pytest.mark.parametrize("header", [None, "", "Basic dXNlcjpwYXNz", "Bearer"])
def test_requests_without_a_bearer_token_are_refused(header):
    with pytest.raises(AuthError) as caught:
        bearer_token(header)
    assert caught.value.status == 401


# -- signing keys: fetched lazily, cached, refreshed -------------------------------------------

class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeKeyService:
    def __init__(self) -> None:
        self.calls = 0
        self.fail = False
        self.keys = {KID: JWK}

    async def __call__(self) -> KeySet:
        self.calls += 1
        if self.fail:
            raise ConnectionError("no network")
        return KeySet(dict(self.keys), ALGS)


def run(coro):
    return asyncio.run(coro)


def test_keys_are_fetched_on_first_use_and_then_served_from_the_cache():
    service, clock = FakeKeyService(), Clock()
    cache = KeyCache(service, ttl=3600, clock=clock)
    assert service.calls == 0  # nothing at start-up: the server starts offline
    for _ in range(5):
        key, algs = run(cache.key(KID))
        assert key == JWK and algs == ALGS
    assert service.calls == 1


def test_keys_are_fetched_again_after_their_ttl():
    service, clock = FakeKeyService(), Clock()
    cache = KeyCache(service, ttl=3600, clock=clock)
    run(cache.key(KID))
    clock.now += 3601
    run(cache.key(KID))
    assert service.calls == 2


def test_an_unknown_key_id_refreshes_early_but_not_more_than_every_few_minutes():
    service, clock = FakeKeyService(), Clock()
    cache = KeyCache(service, ttl=3600, clock=clock, min_refresh=300)
    run(cache.key(KID))
    clock.now += 301
    service.keys["rolled-over"] = {**JWK, "kid": "rolled-over"}
    assert run(cache.key("rolled-over"))[0] is not None  # a new key is picked up at once
    for _ in range(3):
        assert run(cache.key("forged-kid"))[0] is None
    assert service.calls == 2  # the forged ids did not trigger fetches


def test_when_a_refresh_fails_the_cached_keys_are_kept():
    service, clock = FakeKeyService(), Clock()
    cache = KeyCache(service, ttl=3600, clock=clock)
    run(cache.key(KID))
    service.fail, clock.now = True, clock.now + 3601
    assert run(cache.key(KID))[0] == JWK


def test_without_any_keys_requests_get_503_and_the_fetch_is_retried_later():
    service, clock = FakeKeyService(), Clock()
    service.fail = True
    cache = KeyCache(service, ttl=3600, clock=clock, retry_after=10)
    with pytest.raises(KeysUnavailable) as caught:
        run(cache.key(KID))
    assert caught.value.status == 503
    with pytest.raises(KeysUnavailable):
        run(cache.key(KID))
    assert service.calls == 1  # not hammered
    service.fail, clock.now = False, clock.now + 11
    assert run(cache.key(KID))[0] == JWK


def test_the_keys_come_from_the_metadata_jwks_uri():
    documents = {
        "https://meta": {"jwks_uri": "https://keys", "id_token_signing_alg_values_supported": ["RS256", "HS256"]},
        "https://keys": {"keys": [JWK, {"kty": "RSA"}]},
    }
    asked: list[str] = []

    async def get_json(url):
        asked.append(url)
        return documents[url]

    keys = run(fetch_key_set(get_json, "https://meta"))
    assert asked == ["https://meta", "https://keys"]
    assert list(keys.keys) == [KID] and keys.algorithms == ("RS256",)  # HS256 never allowed


def test_authenticate_checks_the_header_then_the_token_against_the_cached_key():
    cache = KeyCache(FakeKeyService(), ttl=3600, clock=Clock())
    claims = run(authenticate(f"Bearer {token()}", ACTIVITY, cache, MULTI))
    assert claims["aud"] == APP_ID
    with pytest.raises(AuthError):
        run(authenticate("Bearer not-a-jwt", ACTIVITY, cache, MULTI))


# -- the bot's own token -----------------------------------------------------------------------

def test_the_bot_token_is_reused_until_shortly_before_it_expires():
    clock, issued = Clock(), []

    async def fetch():
        issued.append(f"t{len(issued)}")
        return issued[-1], 3600

    cache = TokenCache(fetch, clock=clock, margin=300)
    assert [run(cache.token()) for _ in range(3)] == ["t0"] * 3
    clock.now += 3299
    assert run(cache.token()) == "t0"
    clock.now += 2
    assert run(cache.token()) == "t1"
    cache.forget()
    assert run(cache.token()) == "t2"


# -- settings ----------------------------------------------------------------------------------

def test_without_credentials_the_channel_is_off():
    assert TeamsConfig.from_env({}) is None


@pytest.mark.parametrize("env", [{"TEAMS_APP_ID": APP_ID}, {"TEAMS_APP_PASSWORD": "secret"}])
def test_half_a_configuration_is_an_error_naming_what_is_missing(env):
    with pytest.raises(TeamsConfigError, match="TEAMS_APP_(ID|PASSWORD) is not set"):
        TeamsConfig.from_env(env)


def test_the_token_url_follows_the_tenant():
    base = {"TEAMS_APP_ID": APP_ID, "TEAMS_APP_PASSWORD": "secret"}
    assert TeamsConfig.from_env(base).token_url == \
        "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
    single = TeamsConfig.from_env({**base, "TEAMS_TENANT_ID": TENANT, "TEAMS_LOGIN_URL": "http://127.0.0.1:9/"})
    assert single.token_url == f"http://127.0.0.1:9/{TENANT}/oauth2/v2.0/token"
    assert "secret" not in repr(single)


@pytest.mark.parametrize("name, value", [("TEAMS_KEYS_TTL_SECONDS", "soon"), ("TEAMS_KEYS_TTL_SECONDS", "0"),
                                         ("TEAMS_OPENID_METADATA_URL", "login.botframework.com")])
def test_bad_settings_get_a_clear_error(name, value):
    with pytest.raises(TeamsConfigError, match=name):
        TeamsConfig.from_env({"TEAMS_APP_ID": APP_ID, "TEAMS_APP_PASSWORD": "secret", name: value})
