"""What a part of the platform says to `/readyz` beyond the database and the bus."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class ReadinessCheck(Protocol):
    """Something a module provides that may make this process not ready (a stale price
    feed): `/readyz` shows `problem()` under `name`, "ok" when there is none."""

    name: str

    def problem(self) -> str | None: ...
