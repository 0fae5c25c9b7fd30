"""Every log record is redacted and cut short before any handler writes it."""

from __future__ import annotations

import io
import logging

import pytest

from bot.privacy import log_redaction


@pytest.fixture
def log_to_text():
    """A logger writing to a string, with the redacting record factory installed."""
    original = logging.getLogRecordFactory()
    log_redaction.install()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("rasa.core.processor")  # a library's logger: it may quote a turn
    logger.addHandler(handler)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)
    logging.setLogRecordFactory(original)


def test_a_message_with_personal_data_is_written_redacted(log_to_text):
    logger, stream = log_to_text
    logger.error("turn failed: %s", "called Kayleigh Brennan, phone 07700 900461, kb@example.com, DOB 14/03/2016")
    written = stream.getvalue()
    for value in ("Kayleigh", "07700 900461", "kb@example.com", "14/03/2016"):
        assert value not in written
    assert "turn failed" in written and "[phone]" in written


def test_an_exceptions_text_is_redacted_in_the_traceback(log_to_text):
    logger, stream = log_to_text
    try:
        raise ValueError("bad slot value from 14 Acacia Avenue, WR5 3DA")
    except ValueError:
        logger.exception("action crashed")
    written = stream.getvalue()
    assert "ValueError" in written and "Acacia" not in written and "WR5 3DA" not in written


def test_a_huge_message_is_cut_short(log_to_text):
    logger, stream = log_to_text
    logger.warning("x" * 1_000_000)
    assert len(stream.getvalue()) < log_redaction.MAX_LOG_CHARS + 100
    assert "characters cut" in stream.getvalue()


def test_installing_twice_redacts_once(log_to_text):
    log_redaction.install()
    assert log_redaction.installed()
    logger, stream = log_to_text
    logger.warning("[phone] stays as it is")
    assert stream.getvalue().strip() == "[phone] stays as it is"


def test_our_own_loggers_are_cut_short_but_not_redacted():
    """Ours never log what was typed, so their messages stay readable ("Microsoft Teams ...")."""
    original = logging.getLogRecordFactory()
    log_redaction.install()
    try:
        record = logging.getLogger("rasa_addons.channels.teams").makeRecord(
            "rasa_addons.channels.teams", logging.INFO, __file__, 1, "Microsoft Teams channel is off: %s", ("x" * 9000,), None)
        assert record.getMessage().startswith("Microsoft Teams channel is off")
        assert "characters cut" in record.getMessage()
    finally:
        logging.setLogRecordFactory(original)
    assert log_redaction.ours("api.access") and log_redaction.ours("rasa_addons")
    assert not log_redaction.ours("rasa") and not log_redaction.ours("rasa_sdk.endpoint") and not log_redaction.ours("apis")
