from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions._services as services


@pytest.fixture(autouse=True)
def _actions_use_the_test_knowledge_base(kb, engine, monkeypatch):
    monkeypatch.setattr(services, "knowledge", lambda: kb)
    monkeypatch.setattr(services, "engine", lambda: engine)
    for module in ("actions.area", "actions.concern", "actions.lookups"):
        mod = __import__(module, fromlist=["x"])
        if hasattr(mod, "knowledge"):
            monkeypatch.setattr(mod, "knowledge", lambda: kb)
        if hasattr(mod, "engine"):
            monkeypatch.setattr(mod, "engine", lambda: engine)


def make_tracker(slots: dict[str, Any] | None = None, text: str = "", intent: str = "describe_concern",
                 entities: list[dict] | None = None, active_loop: str | None = None) -> Tracker:
    return Tracker(
        sender_id="test",
        slots=slots or {},
        latest_message={"text": text, "intent": {"name": intent, "confidence": 0.9},
                        "intent_ranking": [{"name": intent, "confidence": 0.9}], "entities": entities or []},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture
def domain() -> dict:
    import yaml

    from bot.config import PROJECT_ROOT
    slots = {}
    for f in (PROJECT_ROOT / "domain").glob("*.yml"):
        slots.update((yaml.safe_load(f.read_text()) or {}).get("slots", {}))
    return {"slots": slots}
