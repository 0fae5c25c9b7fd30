"""Spread a burst of new connections over Rasa's workers instead of handing it all to one.

Rasa's Sanic workers (``RASA_WORKERS``) share one listening socket. asyncio's accept loop takes
every pending connection at once, so whichever worker wakes first takes a whole burst and the
other idles: under the chat benchmark all eight connections sat on one worker, and a second
worker did not lower the latency at all (docs/performance.md). Here a worker takes one
connection per wake-up and goes back to its loop, so a worker that is free takes the next.

Connections only move between workers when they are opened: ``scripts/run.sh`` turns Sanic's
keep-alive off, so each turn is a new connection (the web chat reaches Rasa through the API,
which opens one per turn anyway). Only asyncio's event loop is patched (uvloop's accept loop is
compiled): ``scripts/run.sh`` runs Rasa with ``SANIC_USE_UVLOOP=false``. Standard library only.
"""

from __future__ import annotations

import inspect
import sys
from asyncio import selector_events
from typing import Any

_applied = False


def apply() -> bool:
    """Patch asyncio's accept loop to take one connection per wake-up (idempotent). Not with
    ``RASA_SPEEDUPS=0``, nor on a Python whose private accept loop has no ``backlog`` argument:
    False then, with a log line."""
    global _applied
    if _applied:
        return True
    from rasa_addons.speedups.guard import logger, switched_on

    if not switched_on():
        logger.info("speed-up %s not applied: RASA_SPEEDUPS turns the speed-ups off", __name__)
        return False
    original = selector_events.BaseSelectorEventLoop._accept_connection
    if "backlog" not in inspect.signature(original).parameters:
        logger.warning("speed-up %s not applied: asyncio's _accept_connection on Python %s takes no backlog",
                       __name__, sys.version.split()[0])
        return False

    def _accept_connection(loop: Any, protocol_factory: Any, sock: Any, sslcontext: Any = None,
                           server: Any = None, backlog: int = 100, *args: Any, **kwargs: Any) -> None:
        return original(loop, protocol_factory, sock, sslcontext, server, 1, *args, **kwargs)

    selector_events.BaseSelectorEventLoop._accept_connection = _accept_connection  # type: ignore[method-assign]
    _applied = True
    return True
