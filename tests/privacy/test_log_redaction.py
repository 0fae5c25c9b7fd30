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
    logger = logging.getLogger("tests.log_redaction")
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
