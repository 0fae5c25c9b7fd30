"""Token buckets: a burst up to the per-minute figure, then one more every 60/N seconds."""

from __future__ import annotations

import pytest

from api.ratelimit import TokenBuckets


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_caller_gets_its_per_minute_figure_then_waits():
    clock = Clock()
    buckets = TokenBuckets(60, clock=clock)
    assert [buckets.take("a") for _ in range(60)] == [0] * 60
    assert buckets.take("a") == 1  # one token a second at 60 a minute


def test_tokens_come_back_with_time():
    clock = Clock()
    buckets = TokenBuckets(6, clock=clock)  # one every 10 s
    for _ in range(6):
        buckets.take("a")
    assert buckets.take("a") == 10
    clock.now += 10
    assert buckets.take("a") == 0


def test_callers_have_their_own_buckets():
    buckets = TokenBuckets(1, clock=Clock())
    assert buckets.take("a") == 0 and buckets.take("a") > 0
    assert buckets.take("b") == 0


def test_a_zero_rate_is_refused():
    with pytest.raises(ValueError):
        TokenBuckets(0)


def test_idle_callers_are_forgotten_when_there_are_many(monkeypatch):
    monkeypatch.setattr("api.ratelimit.MAX_CALLERS", 3)
    clock = Clock()
    buckets = TokenBuckets(60, clock=clock)
    for who in "abc":
        buckets.take(who)
    clock.now += 60  # all three have refilled
    buckets.take("d")
    assert set(buckets._buckets) == {"d"}
