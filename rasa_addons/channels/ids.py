"""Platform user ids are stored only as salted hashes.

A Teams or Slack user id is personal data: it names one person in one organisation. The
conversation is keyed on ``<platform>-<hmac>`` instead, so a stored tracker cannot be tied
back to a person without the salt, which lives only in the environment.
"""

from __future__ import annotations

import hashlib
import hmac
import os

SALT_VARIABLE = "CHANNEL_ID_SALT"


class MissingSalt(RuntimeError):
    """A channel is enabled but no salt is configured, so ids cannot be stored safely."""


def _salt() -> bytes:
    salt = os.environ.get(SALT_VARIABLE, "")
    if len(salt) < 16:
        raise MissingSalt(
            f"{SALT_VARIABLE} must be set (16+ random characters) when the Teams or Slack channel is on: "
            "platform user ids are stored only as salted hashes. "
            "Generate one with: python3 -c 'import secrets; print(secrets.token_hex(32))'"
        )
    return salt.encode()


def hashed_sender(platform: str, user_id: str) -> str:
    """The conversation id for ``user_id`` on ``platform``; stable for one salt, not reversible."""
    digest = hmac.new(_salt(), f"{platform}:{user_id}".encode(), hashlib.sha256).hexdigest()
    return f"{platform}-{digest[:32]}"


def check_salt() -> None:
    """Fail at channel start-up, not on the first message, when the salt is missing."""
    _salt()
