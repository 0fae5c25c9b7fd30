"""The Rasa speed-ups patch private Rasa names, so each applies only on the Rasa release it was
checked against, refusing with a clear log line on any other; ``RASA_SPEEDUPS=0`` turns them all
off, and a real conversation then still works (issue 22, part 5).

The patching runs inside Rasa's own environment (.venv-rasa), as Rasa does.
"""

from __future__ import annotations

import json
import re

import pytest

from bot.config import PROJECT_ROOT
from rasa_addons.speedups import guard
from tests.support.numbers import number_of
from tests.support.rasa_env import run_in_rasa
from tests.support.stack import needs_model, running_stack

# What each speed-up replaces, read before and after importing rasa_addons (which applies them).
PATCHED = r"""
import asyncio.selector_events as selector_events
from rasa.core import processor
from rasa.core.actions.action import ActionExtractSlots, RemoteAction
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.training.hooks import TrainingHook
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.shared.core.events import Event
from rasa.shared.core.slots import Slot
from rasa.utils.endpoints import EndpointConfig
from rasa.utils.tensorflow.models import RasaModel

def patched_names():
    return {
        "rasa_addons.speedups.action_server": (RemoteAction._validate_action_result,
                                               ActionExtractSlots._execute_validation_action, EndpointConfig.session),
        "rasa_addons.speedups.trackers": (Event.resolve_by_type, Slot.__dict__.get("__copy__")),
        "rasa_addons.speedups.graph_runner": (DaskGraphRunner.run,),
        "rasa_addons.speedups.inference": (RasaModel._rasa_predict, processor.copy, DIETClassifier._predict),
        "rasa_addons.speedups.training": (TrainingHook.on_before_node, TrainingHook.on_after_node),
        "rasa_addons.balanced_accept": (selector_events.BaseSelectorEventLoop._accept_connection,),
    }
"""

REPORT = r"""
import json, logging
lines = []
class Keep(logging.Handler):
    def emit(self, record):
        lines.append(record.getMessage())
logging.getLogger("rasa_addons.speedups").addHandler(Keep())
logging.getLogger("rasa_addons.speedups").setLevel(logging.INFO)
before = patched_names()
import rasa_addons
from rasa_addons import speedups
after = patched_names()
changed = sorted(name for name in before if before[name] != after[name])
print(json.dumps({"changed": changed, "applied": speedups.applied, "log": lines}))
"""


def patch_report(setup: str) -> dict:
    return json.loads(run_in_rasa(setup + PATCHED + REPORT).splitlines()[-1])


EVERY_PATCH = sorted(["rasa_addons.speedups.action_server", "rasa_addons.speedups.trackers",
                      "rasa_addons.speedups.graph_runner", "rasa_addons.speedups.inference",
                      "rasa_addons.speedups.training", "rasa_addons.balanced_accept"])


def test_on_the_supported_rasa_every_speedup_applies():
    report = patch_report("import os\nos.environ.pop('RASA_SPEEDUPS', None)\n")
    assert report["changed"] == EVERY_PATCH and sorted(report["applied"]) == EVERY_PATCH
    assert report["log"] == []


def test_on_another_rasa_release_each_rasa_patch_refuses_and_says_so():
    report = patch_report("import rasa\nrasa.__version__ = '3.7.0'\n")
    assert report["changed"] == ["rasa_addons.balanced_accept"], "only the patch of asyncio (not of Rasa) applied"
    assert report["applied"] == ["rasa_addons.balanced_accept"]
    for patch in EVERY_PATCH[1:]:
        line = next((line for line in report["log"] if patch in line), None)
        assert line is not None, (patch, report["log"])
        assert "not applied" in line and f"Rasa {guard.SUPPORTED_RASA}" in line and "Rasa 3.7.0 is installed" in line


def test_rasa_speedups_0_applies_nothing():
    report = patch_report("import os\nos.environ['RASA_SPEEDUPS'] = '0'\n")
    assert report["changed"] == [] and report["applied"] == []
    assert len(report["log"]) == len(EVERY_PATCH) and all("turns the speed-ups off" in line for line in report["log"])


@pytest.mark.parametrize("value, on", [(None, True), ("1", True), ("0", False), ("false", False), (" Off ", False),
                                       ("no", False)])
def test_the_switch(monkeypatch, value, on):
    if value is None:
        monkeypatch.delenv(guard.SWITCH, raising=False)
    else:
        monkeypatch.setenv(guard.SWITCH, value)
    assert guard.switched_on() is on


def test_the_supported_release_is_the_one_pinned_and_installed():
    pinned = re.search(r"^rasa==(\S+)", (PROJECT_ROOT / "requirements" / "rasa.in").read_text(), re.MULTILINE).group(1)
    assert guard.SUPPORTED_RASA == pinned
    assert run_in_rasa("import rasa; print(rasa.__version__)") == pinned


@needs_model
def test_a_conversation_with_the_speedups_off(loaded_engine, tmp_path):
    """Rasa as shipped (every speed-up off) still converses: area, concern, a question answered,
    and the level with the area's urgent number."""
    with running_stack(tmp_path, str(loaded_engine.url), env={"RASA_SPEEDUPS": "0"}) as stack:
        sender = "speedups-off"
        assert "answer for" in " ".join(m.get("text", "") for m in stack.say(sender, "I work in Tameside"))
        text = " ".join(m.get("text", "") for m in stack.say(sender, "Dad hits him with a belt and he has marks on his legs."))
        for _ in range(3):
            if "Who to contact now" in text:
                break
            text += " ".join(m.get("text", "") for m in stack.say(sender, "no"))
        assert "level 4" in text.lower() and number_of("tameside", "childrens-hub") in text, text
        log = stack.log_tail("rasa", 200_000)
        assert "rasa_addons.speedups.graph_runner not applied: RASA_SPEEDUPS=0" in log, log[-2000:]
