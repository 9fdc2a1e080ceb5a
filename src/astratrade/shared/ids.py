"""Injected id factories, so tests and replays are deterministic."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable

IdFactory = Callable[[], str]


def new_id() -> str:
    return str(uuid.uuid4())


def sequential_ids(prefix: str = "id") -> IdFactory:
    counter = itertools.count(1)
    return lambda: f"{prefix}-{next(counter):08d}"
