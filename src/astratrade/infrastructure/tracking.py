"""Tracking records: which consumer applied which event (eventsourcing's Tracking).

The flow, in one place:
1. `delivery.deliver` hands an event to a subscriber's handler with a `Delivery` (the
   tracking record, and inside a stream consumer's batch the batch's open transaction).
2. The handler passes the delivery to the unit of work that commits its effects
   (`unit_of_work.SqlUnitOfWork`, a context's own, a projection's `apply_once`).
3. That commit writes state, audit events, outbox rows and the tracking row in one
   transaction (`unit_of_work.record_effects`) and marks the delivery recorded.
4. A handler with nothing to commit leaves it unrecorded: the stream consumer writes its
   row itself. A redelivered event finds its row and has no second effect.
5. A projection handed a batch (`projections.ProjectionFeed.apply_all_once`) looks up the
   batch's rows in one query and writes the new ones together, in its one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import cast

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
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.expression import Executable

from astratrade.infrastructure.bulk import insert_rows
from astratrade.infrastructure.db import EVENTS_SCHEMA, metadata
from astratrade.infrastructure.many_rows import execute_one
from astratrade.infrastructure.types import UtcDateTime
from astratrade.shared.delivery import Delivery

__all__ = [
    "Delivery",
    "applied_among",
    "applied_in",
    "applied_pairs",
    "record_many",
    "record_new",
    "record_sync",
    "row_of",
    "tracking",
]

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


def row_of(delivery: Delivery, at: datetime) -> dict[str, object]:
    return {
        "consumer": delivery.consumer,
        "event_id": delivery.event_id,
        "stream": delivery.stream,
        "message_id": delivery.message_id,
        "applied_at": at,
    }


_INSERT = insert(tracking)


def record_sync(conn: Connection, delivery: Delivery, at: datetime) -> None:
    """Write the delivery's tracking row, inside the caller's transaction."""
    conn.execute(_INSERT, row_of(delivery, at))


def record_many(conn: Connection, deliveries: list[Delivery], at: datetime) -> None:
    """Several tracking rows in one statement: those of handlers with nothing to commit,
    or of a projection's batch of events (`projections.apply_new`)."""
    insert_rows(conn, tracking, [row_of(d, at) for d in deliveries])


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
    async with db.connect() as conn:
        query = _APPLIED_ANY if db.dialect.name == "postgresql" else _APPLIED
        rows = await conn.scalars(query, {"consumer": consumer, "event_ids": event_ids})
        return set(rows)


def applied_in(conn: Connection, consumer: str, event_ids: list[str]) -> set[str]:
    """applied_among(), inside the caller's transaction (a projection's batch reads them
    where it writes its own: should another writer commit one of them meanwhile, the
    batch's insert of that row fails and nothing of the batch commits)."""
    if not event_ids:
        return set()
    query = _APPLIED_ANY if conn.dialect.name == "postgresql" else _APPLIED
    return set(conn.scalars(query, {"consumer": consumer, "event_ids": event_ids}))


_PAIRS = select(tracking.c.consumer, tracking.c.event_id).where(
    tracking.c.consumer.in_(bindparam("consumers", expanding=True)),
    tracking.c.event_id.in_(bindparam("event_ids", expanding=True)),
)
_PAIRS_ANY = select(tracking.c.consumer, tracking.c.event_id).where(
    tracking.c.consumer == any_(bindparam("consumers", type_=ARRAY(String))),
    tracking.c.event_id == any_(bindparam("event_ids", type_=ARRAY(String))),
)


def applied_pairs(conn: Connection, wanted: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these (consumer, event id) pairs are applied, in one query inside the
    caller's transaction (several projections' shares of one step): every consumer among
    every event, narrowed to the pairs wanted."""
    if not wanted:
        return set()
    query = _PAIRS_ANY if conn.dialect.name == "postgresql" else _PAIRS
    consumers = sorted({consumer for consumer, _ in wanted})
    event_ids = sorted({event_id for _, event_id in wanted})
    found = conn.execute(query, {"consumers": consumers, "event_ids": event_ids})
    pairs = set(wanted)
    return {(consumer, event_id) for consumer, event_id in found if (consumer, event_id) in pairs}


# SQLite's statements of `record_new`: one a number of rows, up to this many (more go in
# several). 32 is the single writer's step (projections.EXCLUSIVE_WRITER_EVENTS).
NEW_ROWS_AT_ONCE = 32


def record_new(conn: Connection, deliveries: list[Delivery], at: datetime) -> set[tuple[str, str]]:
    """SQLite: write the tracking rows of those deliveries that have none yet, inside the
    caller's transaction; the (consumer, event id) pairs written now, i.e. the events each
    consumer has still to apply. One `INSERT ... ON CONFLICT DO NOTHING RETURNING` does the
    lookup and the insert together (a step's lookup and insert were an eighth of the single
    writer's CPU). A pair twice among them is written once."""
    written: set[tuple[str, str]] = set()
    for start in range(0, len(deliveries), NEW_ROWS_AT_ONCE):
        chunk = deliveries[start : start + NEW_ROWS_AT_ONCE]
        params = {
            f"{name}_{n}": value
            for n, d in enumerate(chunk)
            for name, value in zip(
                _NAMES, (d.consumer, d.event_id, d.stream, d.message_id, at), strict=True
            )
        }
        found = execute_one(conn, _insert_new(len(chunk)), params)  # (consumer, event_id)
        written.update(cast("Iterable[tuple[str, str]]", found.tuples()))
    return written


_NAMES = ("consumer", "event_id", "stream", "message_id", "applied_at")


@cache  # built once per number of rows: execute_many's compiled statements stay valid
def _insert_new(rows: int) -> Executable:
    return (
        sqlite.insert(tracking)
        .values([{name: bindparam(f"{name}_{n}") for name in _NAMES} for n in range(rows)])
        .on_conflict_do_nothing()
        .returning(tracking.c.consumer, tracking.c.event_id)
    )
