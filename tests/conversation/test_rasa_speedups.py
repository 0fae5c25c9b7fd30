"""The action-response validator is built once, and still refuses a malformed response.

Runs inside Rasa's own environment (.venv-rasa), as Rasa does.
"""

from __future__ import annotations

from bot.config import PROJECT_ROOT
from tests.support.rasa_env import run_in_rasa
from tests.support.stack import MODEL, needs_model

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


def test_the_quick_response_check_gives_the_full_schemas_verdict():
    """Each event is checked against its own kind's schema only: for every kind of event Rasa
    knows, and for responses broken in each way we could think of, the verdict is the schema's."""
    script = r"""
from datetime import datetime
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.core import events as e
from rasa_addons.speedups.action_server import response_check

schema = RemoteAction.action_response_format_spec()
full = validator_for(schema)(schema)
quick = response_check(schema, validator_for(schema))
every_kind = [
    e.UserUttered("hi", {"name": "greet", "confidence": 0.9}, [{"entity": "area", "value": "tameside"}]),
    e.BotUttered("Level 3", {"buttons": [{"title": "yes", "payload": "/affirm"}]}),
    e.SlotSet("area", "tameside"), e.SlotSet("answers", [1, 2]), e.SlotSet("area", None),
    e.ActionExecuted("action_listen"), e.ActiveLoop("questions_form"), e.ActiveLoop(None),
    e.FollowupAction("action_contacts"), e.Restarted(), e.AllSlotsReset(), e.SessionStarted(),
    e.LoopInterrupted(True), e.ActionExecutionRejected("questions_form"),
    e.ReminderScheduled("remind", datetime(2026, 1, 1)), e.ReminderCancelled(name="remind"),
    e.ConversationPaused(), e.ConversationResumed(), e.StoryExported(), e.UserUtteranceReverted(),
    e.ActionReverted(), e.AgentUttered("hello"), e.EntitiesAdded([{"entity": "area", "value": "x"}]),
    e.DefinePrevUserUtteredFeaturization(True),
]
# the two legacy kinds are written out as active_loop and loop_interrupted, but may still arrive
events = [event.as_dict() for event in every_kind] + [{"event": "form", "name": "questions_form"},
                                                      {"event": "form_validation", "validate": False}]
assert len({event["event"] for event in events}) == 23
good = [{}, {"events": []}, {"events": events, "responses": [{"text": "Level 3"}]}]
bad = [[], "events", {"events": None}, {"events": "not a list"}, {"events": [1]}, {"events": [{}]},
       {"events": [{"event": "no such kind"}]}, {"events": [{"event": ["slot"]}]},
       {"events": [{"event": "slot", "value": 1}]}, {"events": [{"event": "slot", "name": "a"}]},
       {"events": [{"event": "slot", "name": "a", "value": 1, "timestamp": "noon"}]},
       {"events": [{"event": "user", "text": 3}]}, {"events": [{"event": "bot", "metadata": []}]},
       {"events": [*events, {"event": "action", "name": 5}]}, {"responses": {"text": "x"}},
       {"responses": ["x"]}]
for response in good + bad:
    assert quick(response) == full.is_valid(response), response
print(len(good), "good", len(bad), "bad")
"""
    assert run_in_rasa(script).endswith("3 good 16 bad")


def test_requests_to_the_action_server_carry_the_same_json():
    script = r"""
import json, math
from rasa_addons.speedups.action_server import dumps_quickly

tracker = {"sender_id": "a/b", "slots": {"area": "tameside", "score": 0.1 + 0.2, "big": 2**53 + 1,
           "none": None, "flags": [True, False]},
           "events": [{"event": "bot", "text": "Ring 999 " + chr(8212) + " call/back \"now\"\n" + chr(233),
                       "timestamp": 1795390744.9326963, "data": {"buttons": []}}]}
assert json.loads(dumps_quickly(tracker)) == tracker
assert dumps_quickly(10**30) == json.dumps(10**30)  # too big for ujson: written by json
nan = json.loads(dumps_quickly({"x": float("nan")}))["x"]
assert math.isnan(nan)
try:
    dumps_quickly({"x": object()})
except TypeError:
    print("same json")
"""
    assert run_in_rasa(script).endswith("same json")


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


def test_a_copied_slot_is_a_new_slot_with_the_same_settings_and_value():
    script = r"""
import copy
import rasa_addons
from rasa.shared.core.domain import Domain
from rasa.shared.core.slots import Slot

assert "__copy__" in Slot.__dict__
slots = Domain.load("domain").slots
for slot in slots:
    slot.value = "tameside" if slot.type_name in ("text", "categorical", "any") else slot.value
    twin = copy.copy(slot)
    assert type(twin) is type(slot) and twin is not slot and vars(twin) == vars(slot)
    twin.value = None
    assert vars(twin) != vars(slot) or slot.value is None
print(len(slots), "slots")
"""
    assert run_in_rasa(script).endswith(" slots")


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
from rasa_addons.speedups.action_server import dumps_quickly

async def main():
    actions = EndpointConfig("http://127.0.0.1:5055/webhook")
    async with actions.session() as first:
        pass
    async with actions.copy().session() as again:
        pass
    async with EndpointConfig("http://127.0.0.1:5056/webhook").session() as other:
        pass
    assert first is again and not first.closed
    assert first._json_serialize is dumps_quickly
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


DIET_IN_NUMPY = r"""
import asyncio, glob, sys, warnings
warnings.filterwarnings("ignore")
import numpy as np
import rasa_addons  # applies the speed fixes
from rasa.core.agent import Agent
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.shared.nlu.training_data.loading import load_data
from rasa_addons.speedups.diet_numpy import SentenceIntentModel

texts = sorted({m.get("text") for f in sorted(glob.glob("data/nlu/**/*.yml", recursive=True))
                for m in load_data(f).intent_examples if m.get("text")})[::int(sys.argv[2])]
agent = Agent.load(sys.argv[1])
compared, numpy_used = [], []
create = DIETClassifier._create_model_data

def both(self, messages, *args, **kwargs):
    data = create(self, messages, *args, **kwargs)
    if type(self) is DIETClassifier and not data.is_empty():
        tensorflow = self.model.run_inference(data)["i_scores"][0]
        ours = SentenceIntentModel.of(self).predict(data)["i_scores"][0]
        compared.append((list(np.argsort(-tensorflow)), list(np.argsort(-ours)), float(abs(tensorflow - ours).max())))
    return data

DIETClassifier._create_model_data = both
original_predict = SentenceIntentModel.predict
SentenceIntentModel.predict = lambda self, data: numpy_used.append(1) or original_predict(self, data)

async def parse():
    for text in texts:
        await agent.parse_message(text)

asyncio.run(parse())
same_order = sum(t == o for t, o, _ in compared)
print(len(texts), len(compared), same_order, max(d for _, _, d in compared), len(numpy_used) >= len(texts))
"""


@needs_model
def test_diets_intents_in_numpy_are_tensorflows_on_the_training_examples():
    """DIET's intent confidences computed in numpy from its weights (rasa_addons/speedups/diet_numpy.py)
    rank every intent as TensorFlow does, on every tenth NLU training example, and differ by less
    than 1e-5; and parsing a message really takes the numpy path. (On all 6,626 examples: the same
    intent and top-ten order for each, at most 3e-7 apart; 0.2 ms a message against 1.9 ms.)"""
    texts, compared, same_order, worst, used = run_in_rasa(DIET_IN_NUMPY, str(MODEL), "10").splitlines()[-1].split()
    assert int(texts) > 500 and int(compared) == int(texts) == int(same_order), (texts, compared, same_order)
    assert float(worst) < 1e-5 and used == "True"
