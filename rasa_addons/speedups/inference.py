"""The NLU models and the policies at run time.

1. DIET and the ResponseSelector run through a ``tf.function`` whose argument checks cost more
than the tiny network: the compiled graph for Rasa's fixed input signature is taken once and
called directly, with the same inputs and outputs (parsing a message: 11.6 -> 10.6 ms of CPU,
same intents, rankings and FAQ answers on the messages compared).

2. Rasa deep-copies the conversation's states, events and slots as arguments to its debug log
lines, whether or not debug logging is on (a few per cent of a turn). In the four modules that
do this, and use ``copy`` for nothing else (a test checks), the copy is made only when their
debug log is on.

3. DIET, as config.yml sets it up (no transformer layers, no entities), reads a message's intent
from its sentence-level features alone: a few small products (sparse features to dense, the
dimension-unifying layer, the hidden layer, the embedding) and a softmax over the similarities to
the intents' embeddings, computed once when the model loads. TensorFlow's call cost far more
than this arithmetic (18% of a Rasa replica's busy time under load, docs/performance.md), so
it is done in numpy from the model's own weights (:mod:`.diet_numpy`); any other DIET set-up,
or a run that asks for diagnostic data, keeps Rasa's own path.
"""

from __future__ import annotations

from typing import Any

from rasa_addons.speedups.guard import may_patch


def apply() -> bool:
    """Patch Rasa; False (and a log line) on another Rasa release or with RASA_SPEEDUPS=0."""
    if not may_patch(__name__):
        return False
    _call_prediction_graphs_directly()
    _copy_for_debug_logs_only()
    _classify_intents_in_numpy()
    return True


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


def _classify_intents_in_numpy() -> None:
    from rasa.nlu.classifiers.diet_classifier import DIETClassifier

    from rasa_addons.speedups.diet_numpy import SentenceIntentModel

    original = DIETClassifier._predict

    def _predict(self: DIETClassifier, message: Any) -> Any:
        if type(self) is not DIETClassifier or self._execution_context.should_add_diagnostic_data:
            return original(self, message)
        model = SentenceIntentModel.of(self)
        if model is None:
            return original(self, message)
        model_data = self._create_model_data([message], training=False)
        if model_data.is_empty():
            return None
        return model.predict(model_data)

    DIETClassifier._predict = _predict  # type: ignore[method-assign]
