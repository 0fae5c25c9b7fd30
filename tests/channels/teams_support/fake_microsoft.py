"""Microsoft's side of a Teams conversation, on 127.0.0.1, for tests and the benchmark.

One small HTTP server plays three services:
- the OpenID metadata and JWKS documents (a local RSA key: tokens are signed with it),
- the login service's token endpoint (``/<tenant>/oauth2/v2.0/token``),
- the Bot Connector: ``POST /v3/conversations/{id}/activities[/{activityId}]`` captures
  every reply the bot sends, with the time it arrived.
It counts what it is asked, so tests can check that keys are fetched lazily and the token
is cached.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CHANNEL_ISSUER = "https://api.botframework.com"
KEYS_PATH = "/v1/.well-known/keys"
METADATA_PATH = "/v1/.well-known/openidconfiguration"


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key: rsa.RSAPrivateKey, kid: str, endorsements: list[str] | None = None) -> dict[str, Any]:
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": kid, "use": "sig"})
    if endorsements is not None:
        jwk["endorsements"] = endorsements
    return jwk


@dataclass
class Captured:
    """One reply the bot posted to the connector."""

    conversation_id: str
    reply_to_id: str | None
    activity: dict[str, Any]
    authorization: str
    at: float


@dataclass
class Signer:
    """Signs Bot Connector tokens the way Microsoft does (RS256, kid in the header)."""

    key: rsa.RSAPrivateKey
    kid: str
    app_id: str

    def token(self, service_url: str, **overrides: Any) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": CHANNEL_ISSUER, "aud": self.app_id, "serviceurl": service_url,
            "nbf": now - 60, "iat": now - 60, "exp": now + 3600,
        }
        claims.update(overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})


@dataclass
class FakeMicrosoft:
    app_id: str
    app_password: str
    key: rsa.RSAPrivateKey = field(default_factory=new_rsa_key)
    kid: str = "local-test-key"
    endorsements: list[str] | None = field(default_factory=lambda: ["msteams", "emulator"])
    replies: list[Captured] = field(default_factory=list)
    requests: dict[str, int] = field(default_factory=dict)
    token_tenants: list[str] = field(default_factory=list)
    issued: set[str] = field(default_factory=set)
    _server: ThreadingHTTPServer | None = None
    _changed: threading.Condition = field(default_factory=threading.Condition)

    # -- addresses -----------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server, "start() first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def service_url(self) -> str:
        """The Bot Connector's address, as an activity's serviceUrl gives it."""
        return f"{self.url}/"

    @property
    def metadata_url(self) -> str:
        return f"{self.url}{METADATA_PATH}"

    @property
    def signer(self) -> Signer:
        return Signer(self.key, self.kid, self.app_id)

    def env(self, tenant_id: str, salt: str) -> dict[str, str]:
        """The environment that turns the channel on against this fake."""
        return {
            "TEAMS_APP_ID": self.app_id, "TEAMS_APP_PASSWORD": self.app_password,
            "TEAMS_TENANT_ID": tenant_id, "TEAMS_OPENID_METADATA_URL": self.metadata_url,
            "TEAMS_LOGIN_URL": self.url, "CHANNEL_ID_SALT": salt,
        }

    # -- captured replies ----------------------------------------------------------------
    def replies_to(self, activity_id: str) -> list[Captured]:
        with self._changed:
            return [r for r in self.replies if r.reply_to_id == activity_id]

    def wait_for_replies(self, activity_id: str, timeout: float = 30, quiet: float = 1.0) -> list[Captured]:
        """Replies to ``activity_id``: waits for the first, then until none came for ``quiet`` s."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not self.replies_to(activity_id):
                left = deadline - time.monotonic()
                if left <= 0:
                    return []
                self._changed.wait(left)
            count = -1
            while count != len(self.replies_to(activity_id)) and time.monotonic() < deadline:
                count = len(self.replies_to(activity_id))
                self._changed.wait(quiet)
            return self.replies_to(activity_id)

    def first_reply_at(self, activity_id: str, timeout: float) -> float | None:
        """When the first reply to ``activity_id`` arrived (time.perf_counter), or None."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = self.replies_to(activity_id)
                if found:
                    return found[0].at
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._changed.wait(left)

    # -- server --------------------------------------------------------------------------
    def start(self) -> FakeMicrosoft:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _send(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _count(self, what: str) -> None:
                with fake._changed:
                    fake.requests[what] = fake.requests.get(what, 0) + 1

            def do_GET(self) -> None:
                if self.path == METADATA_PATH:
                    self._count("metadata")
                    return self._send(200, {
                        "issuer": CHANNEL_ISSUER,
                        "jwks_uri": f"{fake.url}{KEYS_PATH}",
                        "id_token_signing_alg_values_supported": ["RS256"],
                        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
                    })
                if self.path == KEYS_PATH:
                    self._count("keys")
                    return self._send(200, {"keys": [public_jwk(fake.key, fake.kid, fake.endorsements)]})
                self._send(404, {"error": "not found"})

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                parts = [unquote(p) for p in self.path.split("?")[0].strip("/").split("/")]
                if len(parts) == 4 and parts[1:] == ["oauth2", "v2.0", "token"]:
                    return self._token(parts[0], parse_qs(body.decode()))
                if len(parts) in (4, 5) and parts[:2] == ["v3", "conversations"] and parts[3] == "activities":
                    return self._activity(parts, body)
                self._send(404, {"error": "not found"})

            def _token(self, tenant: str, form: dict[str, list[str]]) -> None:
                self._count("token")
                wanted = {"grant_type": "client_credentials", "client_id": fake.app_id,
                          "client_secret": fake.app_password, "scope": "https://api.botframework.com/.default"}
                if any(form.get(k) != [v] for k, v in wanted.items()):
                    return self._send(401, {"error": "invalid_client"})
                token = f"bot-token-{uuid.uuid4().hex}"
                with fake._changed:
                    fake.token_tenants.append(tenant)
                    fake.issued.add(token)
                self._send(200, {"token_type": "Bearer", "expires_in": 3599, "access_token": token})

            def _activity(self, parts: list[str], body: bytes) -> None:
                auth = self.headers.get("Authorization") or ""
                if auth.removeprefix("Bearer ") not in fake.issued:
                    return self._send(401, {"error": {"code": "Unauthorized"}})
                captured = Captured(parts[2], parts[4] if len(parts) == 5 else None,
                                    json.loads(body), auth, time.perf_counter())
                with fake._changed:
                    fake.replies.append(captured)
                    fake._changed.notify_all()
                self._send(200, {"id": uuid.uuid4().hex})

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
