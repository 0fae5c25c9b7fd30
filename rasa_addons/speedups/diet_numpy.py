"""DIET's intent prediction in numpy, for the set-up config.yml gives it.

With no transformer layers and no entity recognition, DIET's intent for a message depends only on
the message's sentence-level features: every layer before the embedding works on each position of
the sequence on its own, and the intent is read at the sentence feature's position. So, from the
model's own weights:

    sentence features (sparse ones through their dense layer, then all side by side)
    -> the layer that unifies their dimensions (GELU) -> the hidden layer (GELU)
    -> the text embedding -> similarity to each intent's embedding -> softmax

which is what Rasa 3.6's ``DIET.batch_predict`` and ``_batch_predict_intents`` compute, without
TensorFlow's per-call cost. ``tests/conversation/test_rasa_speedups.py`` compares it with
TensorFlow's answer on every NLU training example. Imports Rasa only inside functions.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)


def _gelu(x: np.ndarray) -> np.ndarray:
    """tf.nn.gelu as Rasa calls it (approximate=False): 0.5 x (1 + erf(x / sqrt 2))."""
    from scipy.special import erf

    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


def _dense(layer: Any) -> tuple[np.ndarray, np.ndarray]:
    """A dense layer's (kernel, bias); a randomly connected layer's kernel with its mask applied,
    as its ``call`` applies it."""
    weights = {w.name.rsplit("/", 1)[-1].split(":")[0]: w.numpy() for w in layer.weights}
    kernel = weights["kernel"] * weights["kernel_mask"] if "kernel_mask" in weights else weights["kernel"]
    return kernel.astype(np.float64), weights["bias"].astype(np.float64)


class SentenceIntentModel:
    """The intent confidences of one DIET model, from its weights (see the module's docstring)."""

    _ATTRIBUTE = "_navigator_sentence_intent_model"

    def __init__(self, sparse_to_dense: tuple[np.ndarray, np.ndarray], unify: tuple[np.ndarray, np.ndarray],
                 hidden: list[tuple[np.ndarray, np.ndarray]], embed: tuple[np.ndarray, np.ndarray],
                 labels: np.ndarray, cosine: bool) -> None:
        self.sparse_to_dense, self.unify, self.hidden, self.embed = sparse_to_dense, unify, hidden, embed
        self.labels, self.cosine = labels, cosine

    @classmethod
    def of(cls, classifier: Any) -> SentenceIntentModel | None:
        """The numpy model for this classifier, built at its first message; None where its set-up
        is not the one this covers (Rasa's own path is used then)."""
        model = getattr(classifier, cls._ATTRIBUTE, False)
        if model is False:
            try:
                model = cls._build(classifier)
            except Exception:
                logger.exception("DIET's numpy intent path is not used for this model")
                model = None
            setattr(classifier, cls._ATTRIBUTE, model)
        return model

    @classmethod
    def _build(cls, classifier: Any) -> SentenceIntentModel | None:
        from rasa.utils.tensorflow.constants import COSINE, INNER, SOFTMAX

        config, tf_model = classifier.component_config, classifier.model
        layers_wanted = config.get("number_of_transformer_layers")
        transformer_layers = layers_wanted.get("text", 0) if isinstance(layers_wanted, dict) else layers_wanted
        if (tf_model is None or type(tf_model).__name__ != "DIET" or transformer_layers
                or config.get("entity_recognition") or not config.get("intent_classification")
                or tf_model.all_labels_embed is None):
            return None
        loss = tf_model._tf_layers["loss.label"]
        if loss.model_confidence != SOFTMAX or loss.similarity_type not in (INNER, COSINE):
            return None
        sequence = tf_model._tf_layers["sequence_layer.text"]._tf_layers
        combining = sequence["feature_combining"]._tf_layers
        if "sparse_dense.sentence" not in combining:
            return None
        sparse = combining["sparse_dense.sentence"]._tf_layers.get("sparse_to_dense")
        unify_layers = [layer for layer in combining["unify_dims_before_seq_sent_concat.sentence"]._ffn_layers
                        if layer.weights]
        hidden = [_dense(layer) for layer in sequence["ffnn"]._ffn_layers if layer.weights]
        if sparse is None or len(unify_layers) != 1:
            return None
        embed = tf_model._tf_layers["embed.text"]._dense
        labels = tf_model.all_labels_embed.numpy().astype(np.float64)
        return cls(_dense(sparse), _dense(unify_layers[0]), hidden, _dense(embed), labels, loss.similarity_type == COSINE)

    def predict(self, model_data: Any) -> dict[str, Any]:
        """``{"i_scores": confidences}`` for the one message in ``model_data``, shaped as Rasa's."""
        from rasa.shared.nlu.constants import TEXT
        from rasa.utils.tensorflow.constants import SENTENCE

        parts = []
        for feature in model_data.data[TEXT][SENTENCE]:
            value = feature[0]
            if feature.is_sparse:
                kernel, bias = self.sparse_to_dense
                parts.append(value.toarray() @ kernel + bias)
            else:
                parts.append(np.asarray(value, dtype=np.float64))
        x = np.concatenate(parts, axis=-1).reshape(1, -1)
        kernel, bias = self.unify
        x = _gelu(x @ kernel + bias)
        for kernel, bias in self.hidden:
            x = _gelu(x @ kernel + bias)
        kernel, bias = self.embed
        x = x @ kernel + bias
        labels = self.labels
        if self.cosine:
            x = x / np.linalg.norm(x, axis=-1, keepdims=True)
            labels = labels / np.linalg.norm(labels, axis=-1, keepdims=True)
        similarity = x @ labels.T
        similarity = np.exp(similarity - similarity.max(axis=-1, keepdims=True))
        return {"i_scores": (similarity / similarity.sum(axis=-1, keepdims=True)).astype(np.float32)}
