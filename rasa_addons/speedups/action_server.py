"""Calls to the action server: fewer connections, cheaper checks, no call when there is nothing to do.

1. Rasa checks every action-server response against a JSON schema with ``jsonschema.validate``,
which first re-validates the *schema itself* against the metaschema on each call. Profiling the
REST channel under load put 65% of the Rasa server's CPU there, because a turn runs several
custom actions (slot validation, the form, the answer). The schema never changes, so the
validator is built once; the response is still validated on every call, with the same error as
before.
Most of what is left of that check is the schema's ``oneOf`` over Rasa's 23 kinds of event: each
event is tried against all of them. Each kind's schema fixes ``event`` to its own name, so an
event can only ever match the one named by its ``event``; a response is first checked with that
one alone (the same verdict, a quarter of the time), and only one that fails goes through the
whole schema, for Rasa's own error message.

2. On every user turn Rasa rebuilds the whole conversation from its events and sends it to the
action server's ``action_validate_slot_mappings``, even when the message filled no slot. Our
validator (``actions.area.ValidateSlots``) only checks slots that were just filled and defines
no ``extract_*`` methods (a test keeps it so), so with nothing extracted there is nothing to
validate: the call is skipped. When a slot was filled, it runs exactly as before.

3. Rasa opens a new HTTP client, and so a new connection, for every call to the action server
(several a turn: 5% of a turn's CPU, and as much again in the action server). Each worker now
keeps one client per endpoint configuration, whose connections are reused; they are let go
after 2 s idle, before the action server's own 5 s keep-alive could close one under a request.
Their requests are written with ``ujson`` (which Rasa already depends on) rather than ``json``:
each call sends the whole conversation (20-50 KB), and writing it took 1 ms of a turn's CPU;
anything ``ujson`` cannot write goes to ``json`` as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_addons.speedups.guard import may_patch


def apply() -> bool:
    """Patch Rasa; False (and a log line) on another Rasa release or with RASA_SPEEDUPS=0."""
    if not may_patch(__name__):
        return False
    _validate_responses_with_a_prebuilt_validator()
    _skip_empty_slot_validation()
    _reuse_http_clients()
    return True


def _validate_responses_with_a_prebuilt_validator() -> None:
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    is_valid = response_check(schema, validator_class)

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        if is_valid(result):
            return True
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


def response_check(schema: dict[str, Any], validator_class: Any) -> Callable[[Any], bool]:
    """``validator_class(schema).is_valid``, checking each event against its own kind only.

    Needs every ``oneOf`` branch of the event schema to fix ``event`` to a different name (Rasa's
    does; this raises if that ever changes). Then an event is valid exactly when it has the base
    event schema and its own kind's, and no event can match two kinds.
    """
    events = schema["properties"]["events"]
    event_schema = dict(events["items"])
    kinds = event_schema.pop("oneOf")
    by_name = {}
    for kind in kinds:
        name = kind["properties"]["event"]["const"]
        if name in by_name:
            raise ValueError(f"two kinds of event are both called {name!r}")
        by_name[name] = validator_class({"allOf": [event_schema, kind]})
    outline = validator_class({**schema, "properties": {**schema["properties"], "events": {"type": "array"}}})

    def is_valid(result: Any) -> bool:
        if not outline.is_valid(result):
            return False
        for event in result.get("events") or ():
            name = event.get("event") if isinstance(event, dict) else None
            kind = by_name.get(name) if isinstance(name, str) else None
            if kind is None or not kind.is_valid(event):
                return False
        return True

    return is_valid


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


class _KeptClient:
    """What ``async with endpoint.session()`` gets: a client that stays open afterwards."""

    def __init__(self, client: Any) -> None:
        self._client = client

    async def __aenter__(self) -> Any:
        return self._client

    async def __aexit__(self, *_exc: object) -> None:
        return None


def _reuse_http_clients() -> None:
    import asyncio
    import weakref

    import aiohttp
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

    original = EndpointConfig.session
    clients_by_loop: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def session(self: EndpointConfig) -> Any:
        """As Rasa's ``EndpointConfig.session`` (same headers, auth and timeout), kept open."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no running loop to keep a client on
            return original(self)
        clients = clients_by_loop.setdefault(loop, {})
        key = (self.url, tuple(sorted(self.headers.items())), tuple(sorted(self.basic_auth.items())))
        client = clients.get(key)
        if client is None or client.closed:
            auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
            client = aiohttp.ClientSession(headers=self.headers, auth=auth,
                                           timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                                           connector=aiohttp.TCPConnector(keepalive_timeout=2),
                                           json_serialize=dumps_quickly)
            clients[key] = client
        return _KeptClient(client)

    EndpointConfig.session = session  # type: ignore[method-assign]


def dumps_quickly(value: Any) -> str:
    """``json.dumps``, by ``ujson`` where it can (the same JSON, written three times as fast)."""
    import json

    import ujson

    try:
        return ujson.dumps(value)
    except (TypeError, ValueError, OverflowError):  # NaN, numbers too big, objects ujson cannot write
        return json.dumps(value)
