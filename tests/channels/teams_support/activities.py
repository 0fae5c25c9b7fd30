"""Teams activities built with Microsoft's own schema (botbuilder-schema), as JSON dicts.

A user in one Teams tenant talks to the bot in a personal chat; each call makes a new
activity id so replies can be matched to the activity they answer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from botbuilder.schema import (
    Activity,
    ActivityTypes,
    ChannelAccount,
    ConversationAccount,
    MessageReaction,
)

BOT = ChannelAccount(id="28:navigator-bot", name="Early Help Navigator")


@dataclass
class TeamsUser:
    """One practitioner in one personal chat with the bot."""

    service_url: str
    user_id: str = "29:1aBcD-teams-user-id"
    aad_object_id: str = "6f2c1e7a-0000-4000-8000-00000000aad1"
    name: str = "Practitioner"
    conversation_id: str = "a:1personal-chat;messageid=1"
    tenant_id: str = "72f988bf-0000-4000-8000-000000000001"

    def _activity(self, type_: str, **fields: Any) -> dict[str, Any]:
        activity = Activity(
            type=type_,
            id=f"act-{uuid.uuid4().hex[:12]}",
            timestamp=datetime.now(timezone.utc),
            channel_id="msteams",
            service_url=self.service_url,
            from_property=ChannelAccount(id=self.user_id, name=self.name, aad_object_id=self.aad_object_id),
            conversation=ConversationAccount(id=self.conversation_id, conversation_type="personal",
                                             tenant_id=self.tenant_id),
            recipient=BOT,
            channel_data={"tenant": {"id": self.tenant_id}},
            **fields,
        )
        return activity.serialize()

    def message(self, text: str) -> dict[str, Any]:
        return self._activity(ActivityTypes.message, text=text, text_format="plain", locale="en-GB")

    def click(self, button: dict[str, Any]) -> dict[str, Any]:
        """What Teams sends for a click on a hero-card button (imBack or messageBack)."""
        if button["type"] == "imBack":
            return self._activity(ActivityTypes.message, text=button["value"])
        return self._activity(ActivityTypes.message, text=button.get("text") or "", value=button.get("value"))

    def bot_added(self) -> dict[str, Any]:
        return self._activity(ActivityTypes.conversation_update, members_added=[BOT])

    def reaction(self) -> dict[str, Any]:
        return self._activity(ActivityTypes.message_reaction, reactions_added=[MessageReaction(type="like")])
