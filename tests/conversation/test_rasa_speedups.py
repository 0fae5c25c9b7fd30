"""The action-response validator is built once, and still refuses a malformed response.

Runs inside Rasa's own environment (.venv-rasa), as Rasa does.
"""

from __future__ import annotations

from bot.config import PROJECT_ROOT
from tests.support.rasa_env import run_in_rasa

SCRIPT = r"""
import rasa_addons  # applies the speed fixes
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa_addons import speedups

assert speedups._applied
action = RemoteAction("action_answer_concern", None)
good = {"events": [{"event": "slot", "name": "area", "value": "tameside"}],
        "responses": [{"text": "Level 4", "buttons": [], "custom": {"area": "tameside"}}]}
assert action._validate_action_result(good) is True
try:
    action._validate_action_result({"events": "not a list"})
except ValidationError as exc:
    assert "Failed to validate Action server response" in exc.message, exc.message
    print("refused")
else:
    raise SystemExit("a malformed response was accepted")
"""


def test_a_malformed_action_response_is_still_refused():
    assert run_in_rasa(SCRIPT).endswith("refused")


def test_the_slot_validator_only_validates_what_was_just_filled():
    """rasa_addons.speedups skips the validator on turns that filled no slot: that is only
    equivalent while the validator extracts nothing itself (no ``extract_*`` methods)."""
    from actions.area import ValidateSlots

    assert not [name for name in dir(ValidateSlots) if name.startswith("extract_")]



def test_stored_events_are_read_back_as_the_same_kinds_of_event():
    script = r"""
import rasa_addons
from rasa.shared.core.events import Event, UserUttered, SlotSet, ActionExecuted
for _ in range(2):  # the second time from what was remembered
    assert Event.resolve_by_type("user") is UserUttered
    assert Event.resolve_by_type("slot") is SlotSet
    assert Event.resolve_by_type("action") is ActionExecuted
assert Event.resolve_by_type("no such event", default=SlotSet) is SlotSet
try:
    Event.resolve_by_type("no such event")
except ValueError:
    print("unknown refused")
"""
    assert run_in_rasa(script).endswith("unknown refused")


def test_training_without_rasas_cache_skips_its_fingerprints_and_with_it_keeps_them():
    script = r"""
from types import SimpleNamespace
import rasa_addons
import rasa.shared.utils.io
from rasa.engine.training.hooks import TrainingHook

fingerprinted = []
rasa.shared.utils.io.deep_container_fingerprint = lambda *a, **k: fingerprinted.append(1) or "fp"


class Cache:
    def __init__(self, off):
        self.off, self.cached = off, []

    def _is_disabled(self):
        return self.off

    def cache_output(self, **kwargs):
        self.cached.append(kwargs)


schema = SimpleNamespace(nodes={"node": SimpleNamespace(uses=object)})
for off in (True, False):
    fingerprinted.clear()
    cache = Cache(off)
    hook = TrainingHook(cache=cache, model_storage=None, pruned_schema=schema)
    hook.on_after_node("node", None, {}, object(), {"fingerprint_key": "k"})
    print("off" if off else "on", len(fingerprinted), len(cache.cached))
if TrainingHook(cache=Cache(True), model_storage=None, pruned_schema=schema).on_before_node(
        "node", None, {}, {}) == {"fingerprint_key": None}:
    print("no key")
"""
    assert run_in_rasa(script).splitlines()[-3:] == ["off 0 0", "on 1 1", "no key"]


def test_each_worker_keeps_one_http_client_per_endpoint_open_between_calls():
    script = r"""
import asyncio
import rasa_addons
from rasa.utils.endpoints import EndpointConfig

async def main():
    actions = EndpointConfig("http://127.0.0.1:5055/webhook")
    async with actions.session() as first:
        pass
    async with actions.copy().session() as again:
        pass
    async with EndpointConfig("http://127.0.0.1:5056/webhook").session() as other:
        pass
    assert first is again and not first.closed
    assert other is not first
    for client in (first, other):
        await client.close()
    async with actions.session() as fresh:  # a closed client is replaced
        assert fresh is not first and not fresh.closed
        await fresh.close()
    print("kept")

asyncio.run(main())
"""
    assert run_in_rasa(script).endswith("kept")


def test_rasa_modules_copy_only_for_their_debug_logs():
    """rasa_addons.speedups makes ``copy.deepcopy`` in these modules copy only when their debug
    log is on: that is only safe while every use is a keyword argument of a log call."""
    import re

    from rasa_addons.speedups.inference import COPY_FOR_DEBUG_LOGS

    site = next((PROJECT_ROOT / ".venv-rasa" / "lib").glob("python3*/site-packages"))
    for name in COPY_FOR_DEBUG_LOGS:
        source = (site / (name.replace(".", "/") + ".py")).read_text()
        uses = re.findall(r"^.*\bcopy\.\w+.*$", source, flags=re.MULTILINE)
        assert uses, name
        for line in uses:
            assert re.fullmatch(r"\s*(\"[\w.]+\",\s*)?\w+=copy\.deepcopy\(.*\),?\s*", line), f"{name}: {line.strip()}"
