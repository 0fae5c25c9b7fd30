"""The numpy sentence encoder gives the same vectors as the reference implementation.

``meaning_reference_vectors.json`` holds what sentence-transformers (all-MiniLM-L6-v2 on
PyTorch, mean pooling, normalised) gave for five concerns; PyTorch is not in .venv, so those
vectors were made once, elsewhere, and kept here.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bot.triage.meaning.encoder import EncoderUnavailable, SentenceEncoder

REFERENCE = json.loads((Path(__file__).with_name("meaning_reference_vectors.json")).read_text())


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder()


def test_the_vectors_match_the_reference_implementation(encoder):
    ours = encoder.encode(REFERENCE["sentences"])
    reference = np.array(REFERENCE["vectors"], dtype=np.float32)
    assert ours.shape == (5, 384)
    assert np.abs(ours - reference).max() < 1e-4
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_a_sentence_is_encoded_the_same_alone_or_in_a_batch_of_other_lengths(encoder):
    alone = encoder.encode(["Dad hits him with a belt."])
    batched = encoder.encode(["Dad hits him with a belt.", "a much longer sentence about a family who need help " * 5])
    assert np.abs(alone[0] - batched[0]).max() < 1e-5


def test_the_same_worry_in_other_words_is_nearer_than_a_different_worry(encoder):
    abuse, paraphrase, routine = encoder.encode([
        "the child has been physically abused by a parent",
        "dad beats him and leaves marks",
        "the family would like advice on bedtime routines",
    ])
    assert abuse @ paraphrase > abuse @ routine + 0.2


def test_no_texts_give_no_vectors(encoder):
    assert encoder.encode([]).shape == (0, 384)


def test_a_missing_model_says_what_to_do(tmp_path):
    with pytest.raises(EncoderUnavailable, match="make setup"):
        SentenceEncoder(tmp_path)


@pytest.mark.parametrize(("cores", "load", "threads"), [
    (2, 0.2, 2),   # a core idle: the second thread helps (22 -> 15 ms for four clauses)
    (2, 1.5, 1),   # both cores busy: a second thread only spins (0.09 s -> 0.99 s under load)
    (1, 0.0, 1),
    (8, 3.0, 2),
])
def test_the_encoder_takes_a_second_blas_thread_only_while_a_core_is_idle(monkeypatch, cores, load, threads):
    from bot.triage.meaning import encoder

    monkeypatch.setattr(encoder.os, "cpu_count", lambda: cores)
    monkeypatch.setattr(encoder.os, "getloadavg", lambda: (load, load, load))
    assert encoder.blas_threads() == threads
