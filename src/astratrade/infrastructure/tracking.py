"""Exactly-once effects for stream consumers.

A consumer marks the delivery it is handling; the unit of work that commits the handler's
effects writes the tracking row (consumer, event id) in the same transaction. A redelivered
event finds its row and has no second effect (eventsourcing's Tracking records)."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    Column,
    Connection,
    PrimaryKeyConstraint,
    String,
    Table,
    any_,
    bindparam,
    insert,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from astratrade.infrastructure.db import EVENTS_SCHEMA, metadata
from astratrade.infrastructure.types import UtcDateTime

tracking = Table(
    "event_tracking",
    metadata,
    Column("consumer", String(40), nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("stream", String(120), nullable=False),
    Column("message_id", String(40), nullable=False),
    Column("applied_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("consumer", "event_id"),
    schema=EVENTS_SCHEMA,
)


@dataclass
class Delivery:
    consumer: str
    event_id: str
    stream: str
    message_id: str
    recorded: bool = False

    def row(self, at: datetime) -> dict[str, object]:
        return {
            "consumer": self.consumer,
            "event_id": self.event_id,
            "stream": self.stream,
            "message_id": self.message_id,
            "applied_at": at,
        }


current_delivery: ContextVar[Delivery | None] = ContextVar("current_delivery", default=None)


def pending_delivery() -> Delivery | None:
    """The delivery whose tracking row the next commit must write, if any.

    Only the first commit of a handler records it: a handler issues one command."""
    delivery = current_delivery.get()
    return None if delivery is None or delivery.recorded else delivery


_INSERT = insert(tracking)


def record_sync(conn: Connection, delivery: Delivery, at: datetime) -> None:
    conn.execute(_INSERT, delivery.row(at))


async def record(conn: AsyncConnection, delivery: Delivery, at: datetime) -> None:
    await conn.execute(_INSERT, delivery.row(at))


def record_many(conn: Connection, deliveries: list[Delivery], at: datetime) -> None:
    if deliveries:
        conn.execute(_INSERT, [d.row(at) for d in deliveries])


_APPLIED = select(tracking.c.event_id).where(
    tracking.c.consumer == bindparam("consumer"),
    tracking.c.event_id.in_(bindparam("event_ids", expanding=True)),
)
# PostgreSQL: one array parameter, so one prepared statement whatever the batch's size. An
# IN list of N parameters is a new statement per N, and once PostgreSQL settles on a
# generic plan for it, it scans the whole table (40 ms a batch at 20,000 rows).
_APPLIED_ANY = select(tracking.c.event_id).where(
    tracking.c.consumer == bindparam("consumer"),
    tracking.c.event_id == any_(bindparam("event_ids", type_=ARRAY(String))),
)


async def applied_among(db: AsyncEngine, consumer: str, event_ids: list[str]) -> set[str]:
    """Which of these events the consumer has applied (one query)."""
    if not event_ids:
        return set()
    query = _APPLIED_ANY if db.dialect.name == "postgresql" else _APPLIED
    async with db.connect() as conn:
        rows = await conn.scalars(query, {"consumer": consumer, "event_ids": event_ids})
        return set(rows)
