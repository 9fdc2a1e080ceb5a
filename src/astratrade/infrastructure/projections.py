"""Read models built from events, exactly once, and rebuildable from the audit log.

A projection is subscribed under its own name, so each event reaches it with a `Delivery`
of its own (consumer = projection name). `apply_once` applies the event and writes that
delivery's tracking row in one transaction: the stream consumer's batch's, if the delivery
carries one, else the single writer's. A redelivered event (in-process after a crash, or
from Redis Streams) finds its row and changes nothing the second time."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import Connection, Table, delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.infrastructure import event_store, tracking
from astratrade.infrastructure.unit_of_work import batch_of, record_effects
from astratrade.infrastructure.writer import Writer
from astratrade.shared.bus import MessageBus
from astratrade.shared.clock import Clock
from astratrade.shared.delivery import Delivery
from astratrade.shared.messages import Envelope


class Projection(Protocol):
    name: str  # also its consumer group and tracking name, e.g. "<context>.<read model>"
    source: str  # the context whose events it reads (an optional `sources` maps exceptions)
    event_types: frozenset[str]
    tables: tuple[Table, ...]  # what a rebuild clears

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        """Fold one event into the read model, inside the caller's transaction."""
        ...


def subscribe(bus: MessageBus, projection: Projection, writer: Writer, clock: Clock) -> None:
    async def project(envelope: Envelope, delivery: Delivery) -> None:
        await apply_once(writer, projection, envelope, delivery, clock.now())

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
    writer: Writer, projection: Projection, envelope: Envelope, delivery: Delivery, at: datetime
) -> bool:
    """Apply unless already applied, with the delivery's tracking row (its consumer is the
    projection's name); True if it was applied now."""
    if delivery.consumer != projection.name:
        raise ValueError(f"{projection.name} was handed {delivery.consumer}'s delivery")
    batch = batch_of(delivery)  # a stream consumer's batch: join its transaction
    if batch is not None:
        applied = await batch.connection.run_sync(_apply_in, projection, envelope, delivery, at)
    else:
        applied = await writer.run(lambda conn: _apply_in(conn, projection, envelope, delivery, at))
    delivery.recorded = True  # written now, or by the first application
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
                row = Delivery(projection.name, envelope.event_id, "rebuild")
                _apply_in(conn, projection, envelope, row, at)

        await writer.run(fold)
        applied += len(events)
        after = events[-1][0]


def _apply_in(
    conn: Connection,
    projection: Projection,
    envelope: Envelope,
    delivery: Delivery,
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
    record_effects(conn, [], delivery, at)
    return True
