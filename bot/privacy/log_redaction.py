"""Every log record of a process is redacted and cut short before any handler writes it.

Practitioners type names, addresses and dates of birth. The tracker store redacts what is
stored, but Rasa, Sanic and rasa_sdk also log raw turns when something fails (an action's
error with the whole conversation, a parse error quoting the message). A filter on one
handler would miss handlers added later by Rasa, Sanic or uvicorn, so :func:`install` wraps
the *record factory*: every record, from every logger (structlog's rendered lines
included), has its message and any traceback text redacted when it is created, and is cut
to :data:`MAX_LOG_CHARS` so one huge message cannot flood the log.

Our own loggers (:data:`OWN_LOGGERS`) are cut short but not redacted: they are written never to
log what a practitioner typed (a type, a status, a hashed id), and redacting them would turn
"Microsoft Teams channel is off" into "[name] channel is off". Everything else, Rasa's, Sanic's,
rasa_sdk's, asyncio's and uvicorn's records, is redacted.

Standard library only: Rasa's process installs it (``rasa_addons``), as do the action
server (``actions.server``) and the API (``api.request_log``).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable

from bot.privacy.redact import redact

MAX_LOG_CHARS = 4000
OWN_LOGGERS = ("api", "actions", "bot", "rasa_addons")
_MARK = "_ehn_redacting_factory"


def ours(logger_name: str) -> bool:
    return any(logger_name == own or logger_name.startswith(f"{own}.") for own in OWN_LOGGERS)


def clean(text: str, redacting: bool = True) -> str:
    """``text`` redacted (unless told not to), then cut to :data:`MAX_LOG_CHARS`, saying how much was cut."""
    out = (redact(text) or "") if redacting else text
    if len(out) > MAX_LOG_CHARS:
        out = f"{out[:MAX_LOG_CHARS]} …[{len(out) - MAX_LOG_CHARS} characters cut]"
    return out


def _redacting(factory: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def make_record(*args: object, **kwargs: object) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed format string: keep what we can, redacted
            message = f"{record.msg!r} {record.args!r}"
        redacting = not ours(record.name)
        record.msg, record.args = clean(message, redacting), ()
        if record.exc_info and not record.exc_text:
            # Exception messages can quote the practitioner's words (a JSON error, a KeyError).
            record.exc_text = clean("".join(traceback.format_exception(*record.exc_info)).rstrip())
        if record.stack_info:
            record.stack_info = clean(record.stack_info)
        return record

    setattr(make_record, _MARK, True)
    return make_record


def install() -> None:
    """Redact every log record this process makes from now on (idempotent)."""
    current = logging.getLogRecordFactory()
    if not getattr(current, _MARK, False):
        logging.setLogRecordFactory(_redacting(current))


def installed() -> bool:
    return bool(getattr(logging.getLogRecordFactory(), _MARK, False))
