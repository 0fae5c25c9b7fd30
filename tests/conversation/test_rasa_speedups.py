"""The action-response validator is built once, and still refuses a malformed response.

Runs inside Rasa's own environment (.venv-rasa), as Rasa does.
"""

from __future__ import annotations

import subprocess

from bot.config import PROJECT_ROOT

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
    out = subprocess.run([str(PROJECT_ROOT / ".venv-rasa" / "bin" / "python"), "-c", SCRIPT], cwd=PROJECT_ROOT,
                         capture_output=True, text=True, timeout=300, env={"PYTHONPATH": str(PROJECT_ROOT)})
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().endswith("refused")


def test_the_slot_validator_only_validates_what_was_just_filled():
    """rasa_addons.speedups skips the validator on turns that filled no slot: that is only
    equivalent while the validator extracts nothing itself (no ``extract_*`` methods)."""
    from actions.area import ValidateSlots

    assert not [name for name in dir(ValidateSlots) if name.startswith("extract_")]
