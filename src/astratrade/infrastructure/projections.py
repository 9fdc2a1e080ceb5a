"""Read models built from events, exactly once, and rebuildable from the audit log.

A projection applies an event and writes its tracking row (consumer = projection name) in
one transaction, of the single writer or of a stream consumer's batch, so a redelivered
event — in-process after a crash, or from Redis Streams — changes nothing the second time."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import Connection, Table, delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.infrastructure import event_store, tracking
from astratrade.infrastructure.unit_of_work import shared_transaction
from astratrade.infrastructure.writer import Writer
from astratrade.shared.bus import MessageBus
from astratrade.shared.clock import Clock
from astratrade.shared.messages import Envelope


class Projection(Protocol):
    name: str  # also its consumer group and tracking name, e.g. "trading.account_activity"
    source: str  # the context whose events it reads (an optional `sources` maps exceptions)
    event_types: frozenset[str]
    tables: tuple[Table, ...]  # what a rebuild clears

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        """Fold one event into the read model, inside the caller's transaction."""
        ...


def subscribe(bus: MessageBus, projection: Projection, writer: Writer, clock: Clock) -> None:
    async def project(envelope: Envelope) -> None:
        await apply_once(writer, projection, envelope, clock.now())

    project.__name__ = projection.name
    for event_type in sorted(projection.event_types):
        bus.subscribe(
            event_type, project, source=source_of(projection, event_type), consumer=projection.name
        )


def source_of(projection: Projection, event_type: str) -> str:
    """The context publishing `event_type`: the projection's source, unless its optional
    `sources` mapping names another for that type."""
    sources: dict[str, str] = getattr(projection, "sources", {})
    return sources.get(event_type, projection.source)


async def apply_once(
    writer: Writer, projection: Projection, envelope: Envelope, at: datetime
) -> bool:
    """Apply unless already applied; True if it was applied now."""
    delivery = tracking.pending_delivery()
    row = tracking.Delivery(
        projection.name,
        envelope.event_id,
        delivery.stream if delivery else "in-process",
        delivery.message_id if delivery else "",
    )

    shared = shared_transaction.get()  # a stream consumer's batch: join its transaction
    if shared is not None:
        applied = await shared.connection.run_sync(_apply_in, projection, envelope, row, at)
    else:
        applied = await writer.run(lambda conn: _apply_in(conn, projection, envelope, row, at))
    if delivery is not None and delivery.consumer == projection.name:
        delivery.recorded = True  # this transaction wrote the consumer's tracking row
    return applied


async def rebuild(
    read_db: AsyncEngine, writer: Writer, projection: Projection, at: datetime, batch: int = 1000
) -> int:
    """Clear the read model and fold the whole audit log into it again; return the count.

    Each batch commits with its tracking rows, so a rebuild cut short is resumed by
    running it again (it starts from a clean slate)."""

    def clear(conn: Connection) -> None:
        for table in projection.tables:
            conn.execute(delete(table))
        conn.execute(
            delete(tracking.tracking).where(tracking.tracking.c.consumer == projection.name)
        )

    await writer.run(clear)
    applied, after = 0, 0
    while True:
        async with read_db.connect() as conn:
            events = await event_store.log_batch(conn, projection.event_types, after, batch)
        if not events:
            return applied

        def fold(conn: Connection, events: list[tuple[int, Envelope]] = events) -> None:
            for _, envelope in events:  # live events may have landed meanwhile: skip those
                row = tracking.Delivery(projection.name, envelope.event_id, "rebuild", "")
                _apply_in(conn, projection, envelope, row, at)

        await writer.run(fold)
        applied += len(events)
        after = events[-1][0]


def _apply_in(
    conn: Connection,
    projection: Projection,
    envelope: Envelope,
    row: tracking.Delivery,
    at: datetime,
) -> bool:
    seen = conn.execute(
        select(tracking.tracking.c.event_id).where(
            tracking.tracking.c.consumer == projection.name,
            tracking.tracking.c.event_id == envelope.event_id,
        )
    ).first()
    if seen is not None:
        return False
    projection.apply(conn, envelope)
    tracking.record_sync(conn, row, at)
    return True
