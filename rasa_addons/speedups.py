"""Speed fixes for Rasa 3.6, applied when any of our Rasa add-ons is imported.

1. Rasa checks every action-server response against a JSON schema with ``jsonschema.validate``,
which first re-validates the *schema itself* against the metaschema on each call. Profiling the
REST channel under load (py-spy, see docs/performance.md) put 65% of the Rasa server's CPU there,
because a turn runs several custom actions (slot validation, the form, the answer). The schema
never changes, so the validator is built once; the response is still validated on every call,
with the same error as before.

2. On every user turn Rasa rebuilds the whole conversation from its events and sends it to the
action server's ``action_validate_slot_mappings``, even when the message filled no slot. Our
validator (``actions.area.ValidateSlots``) only checks slots that were just filled and defines
no ``extract_*`` methods (a test keeps it so), so with nothing extracted there is nothing to
validate: the call is skipped. When a slot was filled, it runs exactly as before.

3. Rasa's workers share new connections fairly (:mod:`rasa_addons.balanced_accept`).
"""

from __future__ import annotations

from typing import Any

from rasa_addons import balanced_accept

_applied = False


def apply() -> None:
    """Patch RemoteAction to validate with a prebuilt validator (idempotent)."""
    global _applied
    if _applied:
        return
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        error = best_match(validator.iter_errors(result))
        if error is not None:
            error.message += (
                ". Failed to validate Action server response from API, make sure your response "
                f"from the Action endpoint is valid. For more information about the format visit "
                f"{DOCS_BASE_URL}/custom-actions"
            )
            raise error
        return True

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    _skip_empty_slot_validation()
    balanced_accept.apply()
    _applied = True


def _skip_empty_slot_validation() -> None:
    from rasa.core.actions.action import ActionExtractSlots
    from rasa.shared.core.events import SlotSet

    original = ActionExtractSlots._execute_validation_action

    async def _execute_validation_action(self: ActionExtractSlots, extraction_events: list, *args: Any,
                                         **kwargs: Any) -> list:
        if not any(isinstance(event, SlotSet) for event in extraction_events):
            return []
        return await original(self, extraction_events, *args, **kwargs)

    ActionExtractSlots._execute_validation_action = _execute_validation_action  # type: ignore[method-assign]
