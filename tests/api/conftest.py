"""The API as an intranet integration meets it: production settings and a real key.

``client`` sends a live key on every request; ``anonymous`` sends none. The rate limit is
set high here so only the tests about it meet it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from fastapi.testclient import TestClient

from api.keys import KeyStore
from api.main import create_app
from bot.config import Settings


def production_settings(**overrides) -> Settings:
    values = {"app_env": "production", "api_key_cache_seconds": 0, "rate_limit_per_minute": 100_000, **overrides}
    return Settings(**values)


@pytest.fixture(scope="session")
def keys(loaded_engine) -> KeyStore:
    return KeyStore(loaded_engine, cache_seconds=0)


@pytest.fixture(scope="session")
def api_key(keys) -> str:
    return keys.create("API tests")[1]


@pytest.fixture(scope="session")
def client(kb, api_key):
    with TestClient(create_app(kb, production_settings()), headers={"Authorization": f"Bearer {api_key}"}) as c:
        yield c


@pytest.fixture(scope="session")
def anonymous(kb):
    with TestClient(create_app(kb, production_settings())) as c:
        yield c


@pytest.fixture(scope="session")
def fake_rasa() -> Iterator[str]:
    """A stand-in for the Rasa server's root page ("Hello from Rasa"), for /readyz."""

    class Hello(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"Hello from Rasa: 3.6.21")

        def log_message(self, *args) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Hello)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def api_caplog(caplog) -> Iterator[pytest.LogCaptureFixture]:
    """pytest's caplog, seeing the API's log records too: the ``api`` loggers write to their own
    handler and do not propagate to the root logger, where caplog listens."""
    logger = logging.getLogger("api")
    logger.addHandler(caplog.handler)
    try:
        yield caplog
    finally:
        logger.removeHandler(caplog.handler)
