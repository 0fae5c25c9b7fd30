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


@pytest.mark.parametrize(("cores", "others", "threads"), [
    (2, 0.1, 2),   # a core free: the second thread helps (21 -> 15 ms for three clauses)
    (2, 0.8, 1),   # another process has most of a core: a second thread only spins (0.09 s -> 0.99 s)
    (1, 0.0, 1),
    (8, 3.0, 2),
    (8, 6.9, 1),
])
def test_the_encoder_takes_a_second_blas_thread_only_while_other_work_leaves_a_core_free(
        monkeypatch, cores, others, threads):
    from bot.triage.meaning import encoder

    class Watch:
        def others_busy(self) -> float:
            return others

    monkeypatch.setattr(encoder.os, "cpu_count", lambda: cores)
    assert encoder.blas_threads(Watch()) == threads


@pytest.mark.parametrize(("cores", "load", "threads"), [(2, 0.2, 2), (2, 1.5, 1), (8, 3.0, 2)])
def test_until_the_cpu_has_been_watched_the_load_average_decides(monkeypatch, tmp_path, cores, load, threads):
    from bot.triage.meaning import encoder
    from bot.triage.meaning.cores import CoreWatch

    monkeypatch.setattr(encoder.os, "cpu_count", lambda: cores)
    monkeypatch.setattr(encoder.os, "getloadavg", lambda: (load, load, load))
    assert encoder.blas_threads(CoreWatch(stat=tmp_path / "no-proc-stat")) == threads


class FakeMachine:
    """/proc/stat and this process's CPU clock, advanced by hand (ticks of 1/100 s)."""

    def __init__(self, path):
        self.path, self.now, self.busy_ticks, self.idle_ticks, self.own = path, 100.0, 0, 0, 0.0
        self.write()

    def write(self):
        self.path.write_text(f"cpu  {self.busy_ticks} 0 0 {self.idle_ticks} 0 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0 0 0\n")

    def run(self, seconds, others_cores, own_cores, cores=2):
        self.now += seconds
        busy = (others_cores + own_cores) * seconds
        self.busy_ticks += round(busy * 100)
        self.idle_ticks += round((cores - others_cores - own_cores) * seconds * 100)
        self.own += own_cores * seconds
        self.write()


def watch_of(machine):
    from bot.triage.meaning.cores import CoreWatch

    return CoreWatch(stat=machine.path, clock=lambda: machine.now, own_cpu=lambda: machine.own)


def test_the_core_watch_counts_other_processes_and_not_this_one(tmp_path):
    machine = FakeMachine(tmp_path / "stat")
    watch = watch_of(machine)
    assert watch.others_busy() is None  # one look is not an interval
    machine.run(1.0, others_cores=0.0, own_cores=1.0)  # this process encoding flat out
    assert watch.others_busy() == pytest.approx(0.0)
    machine.run(1.0, others_cores=0.9, own_cores=1.0)  # another process takes most of a core
    assert watch.others_busy() == pytest.approx(0.9)


def test_the_core_watch_looks_again_only_after_an_interval(tmp_path):
    from bot.triage.meaning.cores import MIN_INTERVAL

    machine = FakeMachine(tmp_path / "stat")
    watch = watch_of(machine)
    watch.others_busy()
    machine.run(1.0, others_cores=1.0, own_cores=0.0)
    assert watch.others_busy() == pytest.approx(1.0)
    machine.run(MIN_INTERVAL / 2, others_cores=0.0, own_cores=1.0)
    assert watch.others_busy() == pytest.approx(1.0)  # too soon: the last figure stands
    machine.run(MIN_INTERVAL, others_cores=0.0, own_cores=1.0)
    assert watch.others_busy() == pytest.approx(0.0, abs=0.05)


def test_two_encodings_at_once_in_one_process_take_one_blas_thread_each(encoder, monkeypatch):
    from bot.triage.meaning import encoder as module

    seen = []
    monkeypatch.setattr(module, "blas_threads", lambda: 2)
    limit = encoder._blas.limit
    monkeypatch.setattr(encoder._blas, "limit", lambda limits, user_api: seen.append(limits) or limit(limits=limits, user_api=user_api))
    with encoder._in_flight:  # another request is encoding
        encoder.encode(["he has bruises on his back"])
    encoder.encode(["he has bruises on his back"])
    assert seen == [1, 2]
