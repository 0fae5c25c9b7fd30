"""When the conversation store cannot be read or written, the turn fails (the web chat then says
the assistant is unavailable, with 999) instead of Rasa silently starting the conversation afresh
in memory (rasa_addons/safeguards.py, point 4). Runs inside Rasa's environment."""

from __future__ import annotations

import textwrap

from tests.support.rasa_env import run_in_rasa

SCRIPT = textwrap.dedent(r"""
    import asyncio
    import rasa_addons  # applies the safeguards, as Rasa's loading of our tracker store does
    from rasa.core.agent import Agent
    from rasa.core.tracker_store import InMemoryTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa_addons.safeguards import ConversationStoreFailed

    class DatabaseDown(InMemoryTrackerStore):
        async def retrieve(self, sender_id):
            raise ConnectionError("connection refused")
        async def save(self, tracker):
            raise ConnectionError("connection refused")

    async def main():
        store = Agent._create_tracker_store(DatabaseDown(Domain.empty()), Domain.empty())
        for step in (store.retrieve("c-1"), store.save(DialogueStateTracker("c-1", []))):
            try:
                await step
                print("silently-replaced")
            except ConversationStoreFailed as exc:
                print("failed", type(exc.__cause__).__name__)
        working = Agent._create_tracker_store(InMemoryTrackerStore(Domain.empty()), Domain.empty())
        await working.save(DialogueStateTracker("c-2", []))
        print("kept", (await working.retrieve("c-2")).sender_id)

    asyncio.run(main())
""")


def test_a_failing_conversation_store_fails_the_turn_instead_of_forgetting_the_conversation():
    assert run_in_rasa(SCRIPT).split("\n") == ["failed ConnectionError", "failed ConnectionError", "kept c-2"]
