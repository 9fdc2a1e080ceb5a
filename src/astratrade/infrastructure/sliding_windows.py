"""Sliding window counters in this process's memory, counted as the `limits` library counts
them (its `SlidingWindowCounterRateLimiter`): windows of the rule's length aligned on the
epoch, and a hit allowed while floor(previous window's count x the share of it still inside
the last window-length + the current window's count) + 1 <= the limit.

`limits`' own memory storage cost ~16 us for an order's two counts (IP and user): an
asyncio lock per key, and an expiry task started anew after nearly every hit that walks
every key. Here a count is a dict lookup; the keys of windows that can no longer count are
dropped once per window of each rule, when the first hit of a new window comes."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from limits import RateLimitItem


class SlidingWindowCounters:
    def __init__(self, now: Callable[[], float] = time.time) -> None:
        self._now = now
        # rule -> identity -> [window number, its count, the previous window's count]
        self._counts: dict[RateLimitItem, dict[tuple[str, ...], list[int]]] = {}
        self._swept: dict[RateLimitItem, int] = {}  # rule -> window its keys were swept in

    def hit(self, rule: RateLimitItem, *identity: str) -> int | None:
        """Count one hit; None if within the limit, else the whole seconds until one would be
        (at least 1), as `limits`' window stats' reset time gives it."""
        now = self._now()
        length = rule.get_expiry()
        window = int(now // length)
        counts = self._counts.setdefault(rule, {})
        if self._swept.get(rule) != window:
            self._sweep(counts, window)
            self._swept[rule] = window
        entry = counts.get(identity)
        if entry is None or entry[0] < window - 1:
            current, previous = 0, 0
        elif entry[0] == window - 1:
            current, previous = 0, entry[1]
        else:
            current, previous = entry[1], entry[2]
        left_of_window = length - now % length  # the previous window's share still counted
        weighted = previous * left_of_window / length + current if previous else current
        if math.floor(weighted) + 1 > rule.amount:
            return _seconds_to_wait(length, left_of_window, previous, current)
        counts[identity] = [window, current + 1, previous]
        return None

    @staticmethod
    def _sweep(counts: dict[tuple[str, ...], list[int]], window: int) -> None:
        """Forget identities whose last hit is in a window that no longer counts."""
        stale = [identity for identity, entry in counts.items() if entry[0] < window - 1]
        for identity in stale:
            del counts[identity]


def _seconds_to_wait(length: int, left_of_window: float, previous: int, current: int) -> int:
    """When the weighted count next drops: the previous window's weight loses one hit every
    length/previous seconds, and the current window ends in `left_of_window`."""
    soonest = math.inf
    if previous:
        soonest = left_of_window % (length / previous)
    if current:
        soonest = min(soonest, left_of_window)
    return max(1, math.ceil(soonest))
