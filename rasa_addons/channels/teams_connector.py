"""The network side of the Teams channel, async (aiohttp): Microsoft's signing keys, the
bot's token, and posting replies to the Bot Connector.

Rasa's own botframework channel makes blocking ``requests`` calls inside the event loop
and fetches keys at start-up; here every call is awaited, keys are fetched on first use
(``teams_auth.KeyCache``) and the token is cached until it expires (``teams_auth.TokenCache``).
Runs in the Rasa environment (aiohttp is Rasa's own dependency).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp

from rasa_addons.channels.teams_auth import KeyCache, KeySet, TokenCache, fetch_key_set
from rasa_addons.channels.teams_config import BOT_FRAMEWORK_SCOPE, TeamsConfig

logger = logging.getLogger(__name__)
TIMEOUT = aiohttp.ClientTimeout(total=10)


class ConnectorError(RuntimeError):
    """The Bot Connector (or the token service) refused or failed a call."""


@dataclass(frozen=True)
class ConversationReference:
    """Where a reply goes. Held in memory for one turn only: never given to Rasa's tracker."""

    service_url: str
    conversation_id: str
    bot: dict[str, Any]
    user_id: str
    reply_to_id: str | None = None

    @classmethod
    def from_activity(cls, activity: dict[str, Any]) -> ConversationReference:
        recipient = activity.get("recipient") or {}
        return cls(
            service_url=activity["serviceUrl"],
            conversation_id=activity["conversation"]["id"],
            bot={k: recipient[k] for k in ("id", "name") if k in recipient},
            user_id=activity["from"]["id"],
            reply_to_id=activity.get("id"),
        )

    def activities_url(self) -> str:
        base = f"{self.service_url.rstrip('/')}/v3/conversations/{quote(self.conversation_id, safe='')}/activities"
        return f"{base}/{quote(self.reply_to_id, safe='')}" if self.reply_to_id else base

    def address(self, activity: dict[str, Any]) -> dict[str, Any]:
        """``activity`` addressed as a reply in this conversation."""
        out = {**activity, "from": self.bot, "recipient": {"id": self.user_id},
               "conversation": {"id": self.conversation_id}}
        if self.reply_to_id:
            out["replyToId"] = self.reply_to_id
        return out


class Connector:
    """One HTTP session for keys, token and replies, created in the server's event loop."""

    def __init__(self, config: TeamsConfig) -> None:
        self.config = config
        self._session: aiohttp.ClientSession | None = None
        self.keys = KeyCache(self._fetch_keys, ttl=config.keys_ttl_seconds)
        self.token = TokenCache(self._fetch_token)

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=TIMEOUT)
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def _get_json(self, url: str) -> Any:
        async with self.session().get(url) as response:
            if response.status != 200:
                raise ConnectorError(f"GET {url} answered {response.status}")
            return await response.json(content_type=None)

    async def _fetch_keys(self) -> KeySet:
        return await fetch_key_set(self._get_json, self.config.openid_metadata_url)

    async def _fetch_token(self) -> tuple[str, float]:
        form = {
            "grant_type": "client_credentials",
            "client_id": self.config.app_id,
            "client_secret": self.config.app_password,
            "scope": BOT_FRAMEWORK_SCOPE,
        }
        async with self.session().post(self.config.token_url, data=form) as response:
            body = await response.json(content_type=None) if response.status == 200 else None
            if not isinstance(body, dict) or "access_token" not in body:
                # The body may echo the request: never log it (it would hold the secret).
                raise ConnectorError(f"token request to {self.config.token_url} answered {response.status}")
            return str(body["access_token"]), float(body.get("expires_in", 3600))

    async def send(self, reference: ConversationReference, activity: dict[str, Any]) -> None:
        """Post a reply; a refused token is fetched again once (it may have been revoked)."""
        url = reference.activities_url()
        payload = reference.address(activity)
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {await self.token.token()}"}
            async with self.session().post(url, json=payload, headers=headers) as response:
                if response.status < 300:
                    return
                if response.status == 401 and attempt == 1:
                    self.token.forget()
                    continue
                raise ConnectorError(f"the Bot Connector answered {response.status} to a reply")
