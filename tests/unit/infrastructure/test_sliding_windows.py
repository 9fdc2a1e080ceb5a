"""The in-memory sliding window counters decide as the `limits` library's sliding window
counter does (the Redis path still uses it): the same hits allowed and refused, the same
Retry-After, over random traffic; and keys of windows past stop taking memory."""

from __future__ import annotations

import math
import random
import time

import pytest
from limits import parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter

from astratrade.infrastructure.sliding_windows import SlidingWindowCounters


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def limits_says(
    limiter: SlidingWindowCounterRateLimiter, rule_text: str, identity: str
) -> int | None:
    rule = parse(rule_text)
    if await limiter.hit(rule, identity):
        return None
    stats = await limiter.get_window_stats(rule, identity)
    return math.ceil(stats.reset_time - time.time())


@pytest.mark.parametrize("rule_text", ["5/second", "3/minute", "20/10 seconds"])
async def test_random_traffic_is_allowed_and_refused_as_limits_does(
    monkeypatch: pytest.MonkeyPatch, rule_text: str
) -> None:
    clock = Clock(1_700_000_000.0)
    monkeypatch.setattr(time, "time", clock)  # what `limits`' memory storage reads
    theirs = SlidingWindowCounterRateLimiter(MemoryStorage())
    ours = SlidingWindowCounters(now=clock)
    rule = parse(rule_text)
    pace = rule.get_expiry() / rule.amount
    shuffled = random.Random(7)  # noqa: S311 - reproducible traffic, not a secret
    refused = 0
    for _ in range(600):
        clock.now += shuffled.expovariate(3 / pace)  # each identity at 1.5x the limit
        identity = shuffled.choice(["ann", "bob"])
        expected = await limits_says(theirs, rule_text, identity)
        answered = ours.hit(rule, identity)
        assert answered == (None if expected is None else max(1, expected)), clock.now
        refused += answered is not None
    assert 50 < refused < 550  # the traffic exercised both answers


def test_identities_of_windows_past_are_forgotten() -> None:
    clock = Clock(1_000.0)
    counters = SlidingWindowCounters(now=clock)
    rule = parse("2/second")
    for n in range(1_000):
        assert counters.hit(rule, f"10.0.0.{n}") is None
    clock.now += 2.0  # two windows on: those hits no longer count
    assert counters.hit(rule, "10.0.0.1") is None
    assert counters.hit(rule, "10.0.0.1") is None
    assert counters.hit(rule, "10.0.0.1") == 1
    assert sum(len(keys) for keys in counters._counts.values()) == 1


def test_the_previous_window_weighs_what_is_left_of_it() -> None:
    clock = Clock(60.0)  # windows of a minute from the epoch: this one is [60, 120)
    counters = SlidingWindowCounters(now=clock)
    rule = parse("10/minute")
    for _ in range(10):
        assert counters.hit(rule, "ann") is None
    clock.now = 165.0  # 45 s into the next: 10 x 15/60 = 2.5 of the last one's count
    for _ in range(8):  # floor(2.5 + 7) + 1 <= 10: the eighth is the last allowed
        assert counters.hit(rule, "ann") is None
    assert counters.hit(rule, "ann") is not None
