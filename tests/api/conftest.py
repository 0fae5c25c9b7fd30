from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.main import create_app


@pytest.fixture(scope="session")
def client(kb):
    with TestClient(create_app(kb)) as c:
        yield c
