"""Python's cyclic garbage collector, set for a long-running server.

What start-up built (modules, routes, engines, read caches) lives as long as the process:
`gc.freeze()` puts it out of the collector's reach, so a full sweep no longer walks it (the
analytics p99 was those sweeps). An order allocates a few thousand short-lived objects,
almost none of them in cycles: with CPython's default young threshold (700) a batch of
500 copy orders ran ~2,800 collections, a tenth of its time (`bench.copy_fills`); at
10,000 it runs ~90."""

from __future__ import annotations

import gc

YOUNG = 10_000  # allocations (less deallocations) between young collections; CPython: 700
MIDDLE = 20  # young collections between middle ones; CPython: 10
OLD = 100  # middle collections between full ones; CPython: 10


def settle_after_start() -> None:
    gc.freeze()
    gc.set_threshold(YOUNG, MIDDLE, OLD)
