"""Injected time: the system clock in production, a manual clock for tests and demos."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to. Time never goes backwards."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime.now(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("the clock takes timezone-aware datetimes only")
        if moment < self._now:
            raise ValueError(
                f"the clock cannot go back from {self._now.isoformat()} to {moment.isoformat()}"
            )
        self._now = moment.astimezone(UTC)

    def advance(self, seconds: float) -> None:
        self.set(self._now + timedelta(seconds=seconds))


def moment(value: object) -> datetime:
    """A time from an event payload: ISO text as it travels, or a datetime already."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def seconds(span: timedelta) -> Decimal:
    """A span in seconds, exactly (timedelta.total_seconds() is a float)."""
    return Decimal(span // timedelta(microseconds=1)) / 1_000_000
