"""Injected id factories, so tests and replays are deterministic."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import uuid_utils

IdFactory = Callable[[], str]


def new_id() -> str:
    """A time-ordered UUID (RFC 9562 version 7: the Unix time in milliseconds, then random
    bits) as text, written as Python's uuid module writes it.

    Time-ordered, so the rows a transaction inserts land at the right edge of each index on
    an id (events, tracking rows, orders, fills) instead of on a random page each: on SQLite
    a commit wrote ~60 pages to the WAL, a quarter of them the tracking rows' index alone.
    uuid_utils draws the random bits from a CSPRNG in process: `os.urandom` is a system
    call that lets go of the GIL, and the SQLite writer's thread took it at every id. (It
    reseeds in a forked child by itself: tests/unit/test_ids.py holds it to that.)"""
    return str(uuid_utils.uuid7())


def sequential_ids(prefix: str = "id") -> IdFactory:
    counter = itertools.count(1)
    return lambda: f"{prefix}-{next(counter):08d}"
