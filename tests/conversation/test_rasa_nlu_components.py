"""Our pipeline components (rasa_addons/nlu.py) behave as config.yml's comments say.

Runs inside Rasa's own environment (.venv-rasa), as Rasa does: each check is a small script.
"""

from __future__ import annotations

from tests.support.rasa_env import run_in_rasa

SETUP = r"""
import tempfile
from pathlib import Path

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

import rasa_addons.nlu as nlu

storage = LocalModelStorage(Path(tempfile.mkdtemp()))
context = ExecutionContext(GraphSchema({}), node_name="featurizer")
tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())


def messages(*texts, intent="x"):
    out = [Message(data={TEXT: text, "intent": intent}) for text in texts]
    tokenizer.process(out)
    return out
"""

FAQ_ONLY = SETUP + r"""
from rasa.nlu.selectors.response_selector import ResponseSelector

selected = []
ResponseSelector.process = lambda self, batch: selected.extend(m.get(TEXT) for m in batch) or batch
config = {**nlu.FaqResponseSelector.get_default_config(), "retrieval_intent": "faq"}
selector = nlu.FaqResponseSelector.create(config, storage, Resource("selector"), context)
faq, greeting = messages("who wrote the guidance", "hello")
faq.set("intent", {"name": "faq", "confidence": 0.9})
greeting.set("intent", {"name": "greet", "confidence": 0.9})
assert selector.process([faq, greeting]) == [faq, greeting]
assert selected == ["who wrote the guidance"], selected
print("faq only")
"""

FAQ_FEATURES = SETUP + r"""
for component in (nlu.FaqCountVectorsFeaturizer, nlu.FaqLexicalSyntacticFeaturizer):
    config = {**component.get_default_config(), "only_for_intent": "faq"}
    featurizer = component.create(config, storage, Resource(component.__name__), context)
    data = TrainingData(messages("who wrote the guidance", "how old is it", intent="faq")
                        + messages("hello there", "good morning", intent="greet"))
    featurizer.train(data)
    featurizer.process_training_data(data)  # training: every example, as Rasa's own
    assert all(m.features for m in data.training_examples)
    faq, greeting = messages("who wrote it", "hello")
    faq.set("intent", {"name": "faq", "confidence": 0.9})
    greeting.set("intent", {"name": "greet", "confidence": 0.9})
    assert featurizer.process([faq, greeting]) == [faq, greeting]
    assert faq.features and not greeting.features, component.__name__
print("faq features only")
"""

SENTENCE_REGEX = SETUP + r"""
config = {**nlu.SentenceRegexFeaturizer.get_default_config(), "case_sensitive": False}
featurizer = nlu.SentenceRegexFeaturizer.create(config, storage, Resource("regex"), context)
data = TrainingData(messages("call 999 now", "hello"),
                    regex_features=[{"name": "danger", "pattern": "999|danger"}, {"name": "hello", "pattern": "hello"}])
featurizer.train(data)
message = messages("the child is in danger tonight")[0]
featurizer.process([message])
sequence, sentence = message.get_sparse_features(TEXT)
assert sequence.features.shape == (1, 2), sequence.features.shape  # one row, not one per token
assert (sequence.features.toarray() == sentence.features.toarray()).all()
assert sentence.features.toarray().tolist() == [[1.0, 0.0]]
assert [t.get("pattern") for t in message.get("text_tokens")][4] == {"danger": True, "hello": False}
print("one row")
"""

LINEAR_SCORES = SETUP + r"""
import numpy as np

config = nlu.LinearIntentScoresFeaturizer.get_default_config()
resource = Resource("linear")
worries = [f"{who} is worried about {what}" for who in ("school", "nurse", "gp")
           for what in ("bruises", "neglect", "hunger", "school attendance")]
thanks = [f"thanks {how}" for how in ("a lot", "so much", "very much", "again", "loads", "mate",
                                      "for that", "for the help", "kindly", "ever so much", "x", "!")]
goodbyes = [f"{word} {when}" for word in ("bye", "cheerio", "see you") for when in ("now", "then", "later", "soon")]
data = TrainingData(messages(*worries, intent="describe_concern") + messages(*thanks, intent="thanks")
                    + messages(*goodbyes, intent="goodbye"))
trained = nlu.LinearIntentScoresFeaturizer.create(config, storage, resource, context)
trained.train(data)
loaded = nlu.LinearIntentScoresFeaturizer.load(config, storage, resource, context)
assert list(loaded._model.classes_) == ["describe_concern", "goodbye", "thanks"]


def scores(message):
    sequence, sentence = message.get_dense_features(TEXT)
    assert sequence is None  # sentence features only
    return sentence.features.ravel()


# at run time: one score per intent, from the model trained on every example
message = messages("the gp is worried about neglect")[0]
loaded.process([message])
assert scores(message).shape == (3,)
assert np.allclose(scores(message), trained._model.decision_function([message.get(TEXT)])[0], atol=1e-5)
# the one-text scorer gives sklearn's numbers, word for word, for any text
for text in ("thanks ever so much", "SCHOOL!! worried, bruises", "zzz", ""):
    assert np.allclose(nlu.OneTextScorer(loaded._model)(text), loaded._model.decision_function([text])[0], atol=1e-5)
# in training: each example scored by a model that never saw it, so weaker than the full model's
loaded.process_training_data(data)
out_of_fold = np.array([scores(m) for m in data.training_examples])
full = trained._model.decision_function([m.get(TEXT) for m in data.training_examples])
assert not np.allclose(out_of_fold, full)
assert np.abs(out_of_fold).mean() < np.abs(full).mean()
print("scored")
"""

MESSAGE_VECTORS = r"""
import numpy as np
from rasa_addons.static_embeddings import StaticSentenceEmbedder

embedder = StaticSentenceEmbedder.load()
vocab = {i: t for t, i in embedder.tokenizer.vocab.items()}
pieces = [vocab[i] for i in embedder.tokenizer.piece_ids("Mum can't get her up, she's BUNKING off!")]
assert pieces == ["mum", "can", "'", "t", "get", "her", "up", ",", "she", "'", "s", "bunk", "##ing", "off", "!"], pieces


def near(a, b):
    return float(embedder.embed(a) @ embedder.embed(b))


assert abs(np.linalg.norm(embedder.embed("what can you do")) - 1) < 1e-5
assert near("what can you do", "how can you help me") > near("what can you do", "the child has bruises")
assert not embedder.embed("   ").any()  # nothing to embed: a zero vector, not an error
print("embedded")
"""



def test_intent_scores_come_from_a_model_that_never_saw_the_training_example():
    assert run_in_rasa(LINEAR_SCORES).endswith("scored")


def test_message_vectors_use_berts_word_pieces_and_put_related_messages_closer():
    assert run_in_rasa(MESSAGE_VECTORS).endswith("embedded")


def test_the_response_selector_only_runs_on_messages_classified_as_faq():
    assert run_in_rasa(FAQ_ONLY).endswith("faq only")


def test_the_faq_answers_features_are_computed_at_run_time_only_for_faqs():
    assert run_in_rasa(FAQ_FEATURES).endswith("faq features only")


def test_diets_regex_features_are_one_row_the_sentences():
    assert run_in_rasa(SENTENCE_REGEX).endswith("one row")
