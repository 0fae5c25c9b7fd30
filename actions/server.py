"""The action server, started the safe way: loopback only, Rasa only, no echo of what it was sent.

``python -m rasa_sdk`` listens on every interface, accepts anyone, and answers an action's
crash with a 500 whose body repeats the whole request (the conversation, names included).
This launcher builds the same rasa_sdk app and:

- listens on ``ACTIONS_HOST`` (default ``127.0.0.1``);
- with ``ACTION_SERVER_TOKEN`` set, refuses (401) any call to ``/webhook`` or ``/actions``
  without ``Authorization: Bearer <token>`` (Rasa sends it: ``rasa_addons.safeguards``);
  ``/health`` stays open;
- answers an action's crash with a plain 500 that names no input, and logs it by type only;
- redacts every log record (:mod:`bot.privacy.log_redaction`);
- refuses to start without the sentence encoder the assessment needs.

    python -m actions.server --port 5055
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os
import socket

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.privacy import log_redaction

logger = logging.getLogger("actions.server")
TOKEN_ENV = "ACTION_SERVER_TOKEN"
OPEN_PATHS = frozenset({"/health"})


def build_app(token: str | None) -> Sanic:
    """rasa_sdk's app for our actions, with the token check and a 500 that echoes nothing."""
    app = create_app("actions", cors_origins=None)

    @app.on_request
    async def only_rasa(request: Request) -> HTTPResponse | None:
        if token is None or request.path in OPEN_PATHS:
            return None
        presented = request.headers.get("authorization", "")
        if hmac.compare_digest(presented.encode(), f"Bearer {token}".encode()):
            return None
        logger.warning("action server: refused a call to %s from %s without the token", request.path, request.ip)
        return response.json({"error": "This server only answers the assistant's Rasa server."}, status=401)

    async def crashed(request: Request, exception: Exception) -> HTTPResponse:
        logger.error("action server: %s while answering %s", type(exception).__name__, request.path)
        status = getattr(exception, "status_code", 500)
        status = status if isinstance(status, int) and 400 <= status < 600 else 500
        return response.json({"error": "The action could not be run."}, status=status)

    # Replaces rasa_sdk's handler, which puts the request body in the response.
    app.error_handler.add(Exception, crashed)
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Start the action server (loopback, Rasa only).")
    parser.add_argument("--host", default=os.environ.get("ACTIONS_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("ACTIONS_PORT", "5055")))
    args = parser.parse_args(argv)
    log_redaction.install()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # The assessment reads concerns by meaning too: without its encoder the server must not start.
    from bot.triage.meaning.encoder import EncoderUnavailable
    from bot.triage.meaning.matcher import shared_matcher

    try:
        shared_matcher()
    except EncoderUnavailable as exc:
        raise SystemExit(f"The action server cannot start: {exc}") from exc
    try:  # Sanic logs a port in use and keeps running; fail at once, so the start script says why
        with socket.create_server((args.host, args.port)):
            pass
    except OSError as exc:
        raise SystemExit(f"The action server cannot listen on {args.host}:{args.port}: {exc.strerror}") from exc
    token = os.environ.get(TOKEN_ENV, "").strip() or None
    if token is None:
        logger.warning("%s is not set: any local process can call the action server", TOKEN_ENV)
    app = build_app(token)
    app.run(host=args.host, port=args.port, workers=1, access_log=False, motd=False)


if __name__ == "__main__":
    main()
