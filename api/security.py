"""Who is calling /v1, and whether they may: API key check and per-caller rate limit.

With ``APP_ENV=production`` (the default) every /v1 request needs a live key, sent as
``Authorization: Bearer <key>`` or ``X-API-Key: <key>``; ``APP_ENV=development`` skips the
check for local use. Either way each caller (key, or client address when unkeyed) is rate
limited, and so are failed attempts per address.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.client_address import client_address
from api.errors import EMERGENCY, ProblemError
from api.keys import public_prefix

bearer = HTTPBearer(auto_error=False, scheme_name="BearerKey",
                    description="An API key: `Authorization: Bearer ehn_...` (python -m api.keys create)")
header_key = APIKeyHeader(name="X-API-Key", auto_error=False, scheme_name="HeaderKey",
                          description="The same API key in an `X-API-Key` header")
REALM = 'Bearer realm="early-help-navigator"'
log = logging.getLogger("api.security")


@dataclass(frozen=True)
class Caller:
    key_id: str | None  # the key's public prefix; None when unkeyed (development)
    address: str


def _address(request: Request) -> str:
    return client_address(request)


def _limit(request: Request, bucket: str) -> None:
    wait = request.app.state.limiter.take(bucket)
    if wait:
        raise ProblemError(429, "Too many requests",
                           f"This client has used its {request.app.state.settings.rate_limit_per_minute} requests a "
                           f"minute; try again in {wait} s. {EMERGENCY}",
                           headers={"Retry-After": str(wait)})


def _refuse(request: Request, detail: str, error: str | None, presented: str | None = None) -> None:
    """401, after logging the attempt (who from, why, which key by its public prefix, never the
    key) so that guessing or a forgotten revoked key shows in the logs; failures are rate
    limited per address."""
    address = _address(request)
    route = request.scope.get("route")
    log.warning("api key refused", extra={"fields": {
        "client": address,
        "reason": "invalid" if presented else "missing",
        "key_prefix": public_prefix(presented),
        "method": request.method,
        "route": getattr(route, "path_format", None),
    }})
    _limit(request, f"failed:{address}")
    challenge = f'{REALM}, error="{error}"' if error else REALM
    raise ProblemError(401, "API key required", detail, headers={"WWW-Authenticate": challenge})


async def caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    api_key: Annotated[str | None, Security(header_key)],
) -> Caller:
    """Authenticate (in production) and rate-limit the request; records the key id for the log.

    A key checked recently is found in memory; only a cache miss asks the database (in a thread).
    """
    settings = request.app.state.settings
    address = _address(request)
    if settings.app_env == "development":
        _limit(request, f"address:{address}")
        return Caller(None, address)
    presented = credentials.credentials if credentials else api_key
    if not presented:
        _refuse(request, "Send an API key as `Authorization: Bearer <key>` or `X-API-Key: <key>`.", None)
    keys = request.app.state.keys
    info = keys.cached(presented) or await run_in_threadpool(keys.verify, presented)
    if info is None:
        _refuse(request, "This API key is not valid or has been revoked.", "invalid_token", presented)
    request.state.key_id = info.prefix
    _limit(request, f"key:{info.prefix}")
    return Caller(info.prefix, address)


CallerDep = Annotated[Caller, Depends(caller)]
