"""Pipeline components of our own, named in config.yml (the reasons, measured: docs/nlu.md).

- ``LinearIntentScoresFeaturizer``: a linear SVM's per-intent scores, from tf-idf n-grams and
  word-piece vectors, as the dense features DIET classifies from.
- ``FaqResponseSelector``: Rasa's ResponseSelector, run only on messages the intent classifier
  (earlier in the pipeline) labelled as the FAQ retrieval intent. Rasa's selector runs its
  network on every message, though its answer is only ever used for an FAQ: 12% of the Rasa
  server's CPU per turn (docs/performance.md). Its training and its answer to an FAQ are
  exactly those of the ResponseSelector.
- ``FaqCountVectorsFeaturizer``, ``FaqLexicalSyntacticFeaturizer``: Rasa's featurisers, placed
  after the intent classifier, featurising at run time only the messages it labelled as the FAQ
  retrieval intent. Only the FaqResponseSelector reads their features (DIET reads the linear
  scores and the regex features), and computing them for every message was 7% of a turn's CPU.
  In training they featurise every example, exactly as Rasa's.
- ``SentenceRegexFeaturizer``: Rasa's RegexFeaturizer whose token-level features are one row,
  the sentence's. DIET classifies from the sentence position alone (no transformer layers, no
  entity tagging), yet ran its layers over every token: most of its training time (docs/nlu.md).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.featurizers.sparse_featurizer.lexical_syntactic_featurizer import (
    LexicalSyntacticFeaturizer,
)
from rasa.nlu.featurizers.sparse_featurizer.regex_featurizer import RegexFeaturizer
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline, make_union
from sklearn.svm import LinearSVC

from rasa_addons.static_embeddings import StaticSentenceEmbedder


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class FaqResponseSelector(ResponseSelector):
    """A ResponseSelector that selects only for messages classified as its retrieval intent."""

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        return _source_fingerprint()

    def _wants(self, message: Message) -> bool:
        intent = message.get(INTENT) or {}
        return self.retrieval_intent is None or intent.get(INTENT_NAME_KEY) == self.retrieval_intent

    def process(self, messages: list[Message]) -> list[Message]:
        """Select a response for the FAQ messages; leave every other message untouched."""
        wanted = [message for message in messages if self._wants(message)]
        if wanted:
            super().process(wanted)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class SentenceRegexFeaturizer(RegexFeaturizer):
    """Rasa's RegexFeaturizer, whose sequence features are the sentence's, as one row.

    DIET insists on sequence features, but with no transformer layers its intent comes from the
    sentence position alone: the other rows only cost time. Tokens are still marked with the
    patterns they match, as by Rasa's featuriser.
    """

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        return _source_fingerprint()

    def _features_for_patterns(self, message: Message, attribute: str) -> tuple[Any, Any]:
        _, sentence = super()._features_for_patterns(message, attribute)
        return (None, None) if sentence is None else (sentence.copy(), sentence)


class _ForOneIntentAtRunTime:
    """Featurise, at run time, only messages the intent classifier gave ``only_for_intent``."""

    _config: dict[str, Any]

    @classmethod
    def get_default_config(cls) -> dict[str, Any]:
        return {**super().get_default_config(), "only_for_intent": None}  # type: ignore[misc]

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        return _source_fingerprint()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Every training example, as Rasa's featuriser (some call ``process`` for that)."""
        self._in_training = True
        try:
            return super().process_training_data(training_data)  # type: ignore[misc]
        finally:
            self._in_training = False

    def process(self, messages: list[Message]) -> list[Message]:
        if getattr(self, "_in_training", False):
            return super().process(messages)  # type: ignore[misc]
        wanted_intent = self._config.get("only_for_intent")
        wanted = [m for m in messages if wanted_intent is None or _intent_name(m) == wanted_intent]
        if wanted:
            super().process(wanted)  # type: ignore[misc]
        return messages


def _intent_name(message: Message) -> str | None:
    """The intent a classifier gave the message (a training example's is its label)."""
    intent = message.get(INTENT)
    return intent.get(INTENT_NAME_KEY) if isinstance(intent, dict) else intent


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class FaqCountVectorsFeaturizer(_ForOneIntentAtRunTime, CountVectorsFeaturizer):
    """Rasa's CountVectorsFeaturizer, featurising at run time only the FAQ messages."""


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class FaqLexicalSyntacticFeaturizer(_ForOneIntentAtRunTime, LexicalSyntacticFeaturizer):
    """Rasa's LexicalSyntacticFeaturizer, featurising at run time only the FAQ messages."""


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class LinearIntentScoresFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds a linear text classifier's intent scores to each message, as dense sentence features.

    A linear SVM over tf-idf word and character n-grams and each message's word-piece vector
    (rasa_addons/static_embeddings.py), trained on the same examples, tells our intents apart
    better than DIET over the count vectors (held-out F1 0.902 for the SVM on n-grams alone,
    0.877 for DIET). DIET still decides, from these scores and the regex features, with the
    confidences the fallback uses. The training examples get out-of-fold scores (each from a
    model that never saw that example); otherwise they would look perfect and DIET would trust
    them blindly. Messages at run time get the scores of the model trained on every example.
    """

    FOLDS = 5
    MODEL_FILE = "linear_intent_model.joblib"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**DenseFeaturizer.get_default_config(), "C": 1.0, "random_seed": 2611}

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Rasa's training cache keys on config and data only: add this code, so a change retrains."""
        return _source_fingerprint()

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if not config["C"] > 0:
            raise ValueError(f"LinearIntentScoresFeaturizer: C must be above 0, got {config['C']!r}")

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 execution_context: ExecutionContext, model: Any = None) -> None:
        super().__init__(execution_context.node_name, config)
        self._model_storage = model_storage
        self._resource = resource
        self._model = model
        self._scorer: OneTextScorer | None = None

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> LinearIntentScoresFeaturizer:
        return cls(config, model_storage, resource, execution_context)

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> LinearIntentScoresFeaturizer:
        try:
            with model_storage.read_from(resource) as model_dir:
                model = joblib.load(model_dir / cls.MODEL_FILE)
        except (ValueError, FileNotFoundError):
            model = None  # not trained (no intent examples)
        return cls(config, model_storage, resource, execution_context, model)

    def _new_model(self) -> Any:
        words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, lowercase=True)
        characters = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True,
                                     lowercase=True)
        return make_pipeline(make_union(words, characters, MessageVectors()),
                             LinearSVC(C=self._config["C"], random_state=self._config["random_seed"]))

    @staticmethod
    def _labelled(training_data: TrainingData) -> tuple[list[str], list[str]]:
        examples = [e for e in training_data.intent_examples if e.get(TEXT)]
        return [e.get(TEXT) for e in examples], [e.get(INTENT) for e in examples]

    def train(self, training_data: TrainingData) -> Resource:
        texts, intents = self._labelled(training_data)
        if len(set(intents)) < 2:
            return self._resource
        self._model = self._new_model().fit(texts, intents)
        for _, part in self._model.steps[0][1].transformer_list:
            if hasattr(part, "stop_words_"):
                del part.stop_words_  # every n-gram left out: large, and never used again
        with self._model_storage.write_to(self._resource) as model_dir:
            joblib.dump(self._model, model_dir / self.MODEL_FILE)
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Out-of-fold scores for the training examples, the full model's for anything else."""
        if self._model is None:
            return training_data
        texts, intents = self._labelled(training_data)
        out_of_fold: dict[str, np.ndarray] = {}
        n_folds = min(self.FOLDS, min(Counter(intents).values()))
        folds = StratifiedKFold(n_splits=max(n_folds, 2), shuffle=True, random_state=self._config["random_seed"])
        for train_index, test_index in (folds.split(texts, intents) if n_folds >= 2 else ()):
            fold_model = self._new_model().fit([texts[i] for i in train_index], [intents[i] for i in train_index])
            # a fold may lack a rare intent: place its scores in the full model's columns
            columns = np.searchsorted(self._model.classes_, fold_model.classes_)
            scores = _decision(fold_model, [texts[i] for i in test_index])
            for row, i in enumerate(test_index):
                full = np.full(len(self._model.classes_), scores[row].min(), dtype=np.float32)
                full[columns] = scores[row]
                out_of_fold[texts[i]] = full
        for message in training_data.training_examples:
            text = message.get(TEXT)
            if text:
                scores = out_of_fold.get(text)
                self._add(message, scores if scores is not None else self._scores(text))
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        if self._model is not None:
            for message in messages:
                if message.get(TEXT):
                    self._add(message, self._scores(message.get(TEXT)))
        return messages

    def _scores(self, text: str) -> np.ndarray:
        if self._scorer is None:
            self._scorer = OneTextScorer(self._model)
        return self._scorer(text).astype(np.float32)

    def _add(self, message: Message, scores: np.ndarray) -> None:
        self.add_features_to_message(sequence=None, sentence=scores.reshape(1, -1), attribute=TEXT, message=message)


class MessageVectors(BaseEstimator, TransformerMixin):
    """Each text's word-piece vector (rasa_addons/static_embeddings.py) as dense features.

    The 47 MB table is read from the installed package once per process, never pickled with
    the model.
    """

    def fit(self, texts: list[str], intents: Any = None) -> MessageVectors:
        return self

    def transform(self, texts: list[str]) -> np.ndarray:
        embedder = _embedder()
        return np.stack([embedder.embed(text) for text in texts])


@lru_cache(maxsize=1)
def _embedder() -> StaticSentenceEmbedder:
    return StaticSentenceEmbedder.load()


class OneTextScorer:
    """The fitted model's decision function for one text, the same numbers without sklearn.

    Through sklearn, one message cost about 3 ms, a tenth of a turn's CPU, nearly all of it
    per-call checks; this does the same arithmetic: sublinear tf times idf, unit length per
    n-gram block, then the SVM's weights.
    """

    def __init__(self, model: Any) -> None:
        union, svm = model.steps[0][1], model.steps[-1][1]
        self._blocks: list[tuple[Any, dict[str, int] | None, np.ndarray | None, np.ndarray]] = []
        offset = 0
        for _, part in union.transformer_list:
            if isinstance(part, TfidfVectorizer):
                width = len(part.vocabulary_)
                self._blocks.append((part.build_analyzer(), part.vocabulary_, part.idf_, svm.coef_[:, offset:offset + width]))
            else:
                width = _embedder().dimensions
                self._blocks.append((None, None, None, svm.coef_[:, offset:offset + width]))
            offset += width
        self._intercept = svm.intercept_

    def __call__(self, text: str) -> np.ndarray:
        scores = self._intercept.astype(np.float64)
        for analyse, vocabulary, idf, weights in self._blocks:
            if analyse is None:
                scores = scores + weights @ _embedder().embed(text)
                continue
            counts = Counter(vocabulary[gram] for gram in analyse(text) if gram in vocabulary)
            if not counts:
                continue
            columns = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * idf[columns]
            scores = scores + weights[:, columns] @ (values / np.linalg.norm(values))
        return np.stack([-scores, scores], axis=1)[0] if len(scores) == 1 else scores


def _source_fingerprint() -> str:
    sources = [Path(__file__), Path(__file__).with_name("static_embeddings.py")]
    return hashlib.sha256(b"".join(path.read_bytes() for path in sources)).hexdigest()


def _decision(model: Any, texts: list[str]) -> np.ndarray:
    """One score per class and text (with two classes sklearn gives one score: the second's)."""
    scores = model.decision_function(texts)
    return np.stack([-scores, scores], axis=1) if scores.ndim == 1 else scores
