"""Commands and events are frozen facts; committed events travel in an Envelope."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any, ClassVar


@dataclass(frozen=True, kw_only=True)
class Command:
    """An instruction with exactly one handler; its error propagates to the caller."""


@dataclass(frozen=True, kw_only=True)
class Event:
    """A fact that happened. Subclasses set the owning context and a schema version."""

    context: ClassVar[str]
    schema_version: ClassVar[int] = 1

    @classmethod
    def type_name(cls) -> str:
        return cls.__name__

    def payload(self) -> dict[str, Any]:
        return {name: to_json_value(getattr(self, name)) for name in _field_names(type(self))}


@dataclass(frozen=True, kw_only=True)
class Envelope:
    """A committed event as it is stored in the audit log and the outbox, and delivered."""

    event_id: str
    type: str
    version: int
    context: str
    aggregate_id: str
    aggregate_version: int
    occurred_at: datetime
    payload: dict[str, Any]
    correlation_id: str | None = None
    causation_id: str | None = None
    outbox_id: int | None = field(default=None, compare=False)

    def as_json(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "type": self.type,
            "version": self.version,
            "context": self.context,
            "aggregate_id": self.aggregate_id,
            "aggregate_version": self.aggregate_version,
            "occurred_at": self.occurred_at.isoformat(),
            "payload": self.payload,
            "correlation_id": self.correlation_id,
            "causation_id": self.causation_id,
        }


# The request or workflow now under way: events recorded meanwhile carry it, and so do the
# events a handler records on their account (set from the envelope it handles).
correlation: ContextVar[str | None] = ContextVar("correlation", default=None)

_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


_PLAIN = (str, int, bool, type(None))


def to_json_value(value: object) -> Any:
    """Decimals become strings, datetimes ISO text, enums their value; containers recurse."""
    if type(value) in _PLAIN:  # the common case first: enums and Decimals are other types
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [to_json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_json_value(item) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json_value(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


class Aggregate:
    """A consistency boundary. It records the events of each change; the unit of work
    numbers them (aggregate_version) and stores them with the new state in one transaction."""

    aggregate_type: ClassVar[str]

    def __init__(self, aggregate_id: str, version: int = 0) -> None:
        self.id = aggregate_id
        self.version = version
        self.pending_events: list[Event] = []

    def record(self, event: Event) -> None:
        self.pending_events.append(event)


def number_events(
    aggregates: Iterable[Aggregate], at: datetime, ids: Callable[[], str]
) -> list[Envelope]:
    """Take each aggregate's recorded events, numbering them on from its version."""
    envelopes: list[Envelope] = []
    for aggregate in aggregates:
        for event in aggregate.pending_events:
            aggregate.version += 1
            envelopes.append(
                Envelope(
                    event_id=ids(),
                    type=event.type_name(),
                    version=event.schema_version,
                    context=event.context,
                    aggregate_id=aggregate.id,
                    aggregate_version=aggregate.version,
                    occurred_at=at,
                    payload=event.payload(),
                    correlation_id=correlation.get(),
                )
            )
        aggregate.pending_events.clear()
    return envelopes
