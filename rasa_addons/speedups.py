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

4. Training: after every graph node Rasa fingerprints the node's inputs and output for its training
cache, and for featurised training data that means formatting every message's sparse matrices as
text. py-spy put 74% of the featurisers' training time there (over 100 s of a clean training).
``scripts/train.sh`` keys whole models on a hash of their inputs instead and turns Rasa's cache off
(``RASA_MAX_CACHE_SIZE=0``); with the cache off the fingerprints are never read, so they are not
computed. With the cache on, nothing changes.

5. Rasa turns each stored event back into an object by walking every subclass of ``Event`` to
find the one whose name matches, for every event of every turn (7% of a turn's CPU). The class
found for a name is remembered; an unknown name still goes the original way.

6. Rasa opens a new HTTP client, and so a new connection, for every call to the action server
(several a turn: 5% of a turn's CPU, and as much again in the action server). Each worker now
keeps one client per endpoint configuration, whose connections are reused; they are let go
after 2 s idle, before the action server's own 5 s keep-alive could close one under a request.

7. DIET and the ResponseSelector run through a ``tf.function`` whose argument checks cost more
than the tiny network: the compiled graph for Rasa's fixed input signature is taken once and
called directly, with the same inputs and outputs (parsing a message: 11.6 -> 10.6 ms of CPU,
same intents, rankings and FAQ answers on the messages compared).

8. Rasa deep-copies the conversation's states, events and slots as arguments to its debug log
lines, whether or not debug logging is on (a few per cent of a turn). In the four modules that
do this, and use ``copy`` for nothing else (a test checks), the copy is made only when their
debug log is on.
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
    _skip_fingerprints_without_training_cache()
    _remember_event_classes()
    _reuse_http_clients()
    _call_prediction_graphs_directly()
    _copy_for_debug_logs_only()
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


def _skip_fingerprints_without_training_cache() -> None:
    from rasa.engine.training.hooks import TrainingHook

    original_before, original_after = TrainingHook.on_before_node, TrainingHook.on_after_node

    def cache_is_off(hook: TrainingHook) -> bool:
        is_disabled = getattr(hook._cache, "_is_disabled", None)
        return bool(is_disabled and is_disabled())

    def on_before_node(self: TrainingHook, *args: Any, **kwargs: Any) -> dict:
        if cache_is_off(self):
            return {"fingerprint_key": None}
        return original_before(self, *args, **kwargs)

    def on_after_node(self: TrainingHook, *args: Any, **kwargs: Any) -> None:
        if cache_is_off(self):
            return None
        return original_after(self, *args, **kwargs)

    TrainingHook.on_before_node = on_before_node  # type: ignore[method-assign]
    TrainingHook.on_after_node = on_after_node  # type: ignore[method-assign]


def _remember_event_classes() -> None:
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    original = Event.resolve_by_type
    known: dict[str, type] = {}

    def resolve_by_type(type_name: str, default: type | None = None) -> type | None:
        cls = known.get(type_name)
        if cls is not None:
            return cls
        for cls in all_subclasses(Event):
            if cls.type_name == type_name:
                known[type_name] = cls
                return cls
        return original(type_name, default)

    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign]


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
                                           connector=aiohttp.TCPConnector(keepalive_timeout=2))
            clients[key] = client
        return _KeptClient(client)

    EndpointConfig.session = session  # type: ignore[method-assign]


def _call_prediction_graphs_directly() -> None:
    import tensorflow as tf
    from keras.utils import tf_utils
    from rasa.shared.constants import DIAGNOSTIC_DATA
    from rasa.utils.tensorflow.models import RasaModel

    original = RasaModel._rasa_predict

    def _rasa_predict(self: RasaModel, batch_in: tuple) -> dict:
        graph = getattr(self, "_navigator_predict_graph", None)
        if graph is None:
            outputs = original(self, batch_in)  # builds Rasa's tf.function on the first call
            if not self._run_eagerly and self._tf_predict_step is not None:
                self._navigator_predict_graph = self._tf_predict_step.get_concrete_function(
                    *self._dynamic_signature(batch_in))
            return outputs
        outputs = tf_utils.sync_to_numpy_or_python_type(graph([tf.convert_to_tensor(x) for x in batch_in]))
        if DIAGNOSTIC_DATA in outputs:
            outputs[DIAGNOSTIC_DATA] = self._empty_lists_to_none_in_dict(outputs[DIAGNOSTIC_DATA])
        return outputs

    RasaModel._rasa_predict = _rasa_predict  # type: ignore[method-assign]


# Rasa modules whose only use of ``copy`` is ``copy.deepcopy`` for debug log arguments.
COPY_FOR_DEBUG_LOGS = ("rasa.core.processor", "rasa.core.policies.rule_policy",
                       "rasa.core.policies.memoization", "rasa.core.actions.forms")


class _CopyWhenDebugging:
    """Stands in for the ``copy`` module in a Rasa module: deep copies only for its debug log."""

    def __init__(self, module_name: str) -> None:
        import logging

        self._logger = logging.getLogger(module_name)
        self._debug = logging.DEBUG

    def deepcopy(self, value: Any, memo: dict | None = None) -> Any:
        import copy

        return copy.deepcopy(value, memo) if self._logger.isEnabledFor(self._debug) else value


def _copy_for_debug_logs_only() -> None:
    import importlib

    for name in COPY_FOR_DEBUG_LOGS:
        module = importlib.import_module(name)
        module.copy = _CopyWhenDebugging(name)  # type: ignore[attr-defined]

