"""Read models built from events, exactly once, and rebuildable from the audit log.

A projection is subscribed under its own name, through a `ProjectionFeed`, so each event
reaches it with a `Delivery` of its own (consumer = projection name). The feed applies:
- one event (`apply_once`): the event and its tracking row in one transaction, the stream
  consumer's batch's if the delivery carries one, else the single writer's;
- a batch of events (`ProjectionFeed.apply_all_once`, what the in-process dispatcher and
  the stream consumer hand it): one single-writer transaction for the whole batch, one
  tracking lookup for all of it, the new events applied in order (with its `apply_all` when
  it has one: the rows they touch read and written once) and their tracking rows
  written together. Projections are pure functions of a connection, so on SQLite too a
  batch is one step of the single writer. If an event fails, nothing of the batch commits
  and the caller applies it one by one, so that the bad event fails alone.
A redelivered event (in-process after a crash, or from Redis Streams) finds its row and
changes nothing the second time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial
from typing import Protocol

from sqlalchemy import Connection, Table, delete
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from astratrade.infrastructure import event_store, tracking
from astratrade.infrastructure.unit_of_work import batch_of
from astratrade.infrastructure.writer import Writer
from astratrade.shared.bus import MessageBus, Subscription
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


# A projection may also define `apply_all(conn, envelopes)`: the same as `apply` on each
# event in order, with the rows the events touch read in one query and written in one
# statement instead of a read and a write an event (the read model comes out the same).


# What a feed does once events are applied (gamification: its boards' Redis index). `reader`
# is the open transaction holding the writes (a stream consumer's batch), None once they
# are committed.
AfterApplied = Callable[[list[Envelope], AsyncConnection | None], Awaitable[None]]


# On an exclusive writer (SQLite's) a batch's transaction delays every write queued behind
# it, orders' commits included, so it holds at most this many events. Measured: a
# transaction of one ledger or activity event costs 3-4x an event's share of one of 32,
# and past 32 that share barely drops (the projection's own statements dominate); 32 events
# hold the writer about 3-10 ms.
EXCLUSIVE_WRITER_EVENTS = 32


class ProjectionFeed:
    """The handler of a projection's subscriptions: called with one event, it applies it
    (`apply_once`); the dispatcher and the stream consumer hand it their batches whole
    (`apply_all_once`)."""

    def __init__(
        self,
        projection: Projection,
        writer: Writer,
        clock: Clock,
        *,
        after: AfterApplied | None = None,
    ) -> None:
        self.projection = projection
        self.__name__ = "project"  # its subscriptions' names: "<projection name>.project"
        self._writer = writer
        self._clock = clock
        self._after = after

    async def __call__(self, envelope: Envelope, delivery: Delivery) -> None:
        await apply_once(self._writer, self.projection, envelope, delivery, self._clock.now())
        if self._after is not None:
            batch = batch_of(delivery)
            await self._after([envelope], None if batch is None else batch.connection)

    async def apply_all_once(self, deliveries: list[tuple[Envelope, Delivery]]) -> set[str]:
        """Apply what is new among these events, in order, with their tracking rows, in one
        single-writer transaction (SQLite's: one per EXCLUSIVE_WRITER_EVENTS); return the
        ids applied now. If one of them raises, its transaction commits nothing and the
        error propagates: apply them one by one then (calling the feed), so that the bad one
        fails alone (those committed already find their tracking rows). Should `after`
        raise, the events stand committed, and applying them one by one runs it again."""
        return (await apply_together([(self, deliveries)]))[self]


Share = tuple[ProjectionFeed, list[tuple[Envelope, Delivery]]]


async def apply_together(shares: list[Share]) -> dict[ProjectionFeed, set[str]]:
    """Several projections' shares of one batch (`apply_all_once` for each, in this order),
    packed into as few single-writer transactions as hold them: one per
    EXCLUSIVE_WRITER_EVENTS deliveries on SQLite's writer, all of them on PostgreSQL's.
    Every transaction commits each table's pages once, the tracking rows' among them,
    where one transaction a projection wrote them once each (measured: a third of the
    in-process read models' CPU). Returns the ids each projection applied now. If one
    raises, its transaction commits nothing and the error propagates: apply the shares
    projection by projection then (what committed finds its tracking rows)."""
    applied: dict[ProjectionFeed, set[str]] = {feed: set() for feed, _ in shares}
    if not shares:
        return applied
    first = shares[0][0]
    writer, at = first._writer, first._clock.now()
    if any(feed._writer is not writer for feed, _ in shares):
        raise ValueError("projections applied together share one writer")
    room = EXCLUSIVE_WRITER_EVENTS if writer.exclusive else None
    for part in _packed([share for share in shares if share[1]], room):
        done = await writer.run(partial(_apply_part, part=part, at=at))
        for feed, ids in done:
            applied[feed] |= ids
    for feed, deliveries in shares:
        for _, delivery in deliveries:
            delivery.recorded = True  # written now, or by an earlier application
        if feed._after is not None and applied[feed]:
            await feed._after([e for e, _ in deliveries if e.event_id in applied[feed]], None)
    return applied


def _packed(shares: list[Share], room: int | None) -> list[list[Share]]:
    """The shares in order, cut into parts of at most `room` deliveries (None: one part)."""
    if room is None:
        return [shares] if shares else []
    parts: list[list[Share]] = [[]]
    left = room
    for feed, deliveries in shares:
        start = 0
        while start < len(deliveries):
            if left == 0:
                parts.append([])
                left = room
            piece = deliveries[start : start + left]
            parts[-1].append((feed, piece))
            start += len(piece)
            left -= len(piece)
    return [part for part in parts if part]


def _apply_part(
    conn: Connection, part: list[Share], at: datetime
) -> list[tuple[ProjectionFeed, set[str]]]:
    """One step of `apply_together`: which events each projection has applied already, in
    one query for all of them, each projection's new ones applied in turn, and all their
    tracking rows in one insert. SQLite: the tracking rows first, the insert telling which
    are new (`tracking.record_new`: the lookup and the insert in one statement)."""
    wanted = [(feed.projection.name, e.event_id) for feed, share in part for e, _ in share]
    recorded = conn.dialect.name == "sqlite"
    if recorded:
        handed = [delivery for _, share in part for _, delivery in share]
        seen = set(wanted) - tracking.record_new(conn, handed, at)
    else:
        seen = tracking.applied_pairs(conn, wanted)
    done: list[tuple[ProjectionFeed, set[str]]] = []
    written: list[Delivery] = []
    for feed, deliveries in part:
        name = feed.projection.name
        new = _apply_unseen(conn, feed.projection, deliveries, {e for c, e in seen if c == name})
        done.append((feed, {delivery.event_id for delivery in new}))
        written.extend(new)
    if not recorded:
        tracking.record_many(conn, written, at)
    return done


def feed_of(subscription: Subscription) -> ProjectionFeed | None:
    """The projection feed this subscription hands its events to, if it is one."""
    handler = subscription.handler
    return handler if isinstance(handler, ProjectionFeed) else None


def subscribe(bus: MessageBus, projection: Projection, writer: Writer, clock: Clock) -> None:
    feed = ProjectionFeed(projection, writer, clock)
    for event_type in sorted(projection.event_types):
        bus.subscribe(
            event_type, feed, source=source_of(projection, event_type), consumer=projection.name
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
    one = [(envelope, delivery)]
    batch = batch_of(delivery)  # a stream consumer's batch: join its transaction
    if batch is not None:
        applied = await batch.connection.run_sync(apply_new, projection, one, at)
    else:
        applied = await writer.run(lambda conn: apply_new(conn, projection, one, at))
    delivery.recorded = True  # written now, or by the first application
    return bool(applied)


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
        # Live events may have landed meanwhile: apply_new skips those.
        rows = [(e, Delivery(projection.name, e.event_id, "rebuild")) for _, e in events]
        await writer.run(partial(apply_new, projection=projection, deliveries=rows, at=at))
        applied += len(events)
        after = events[-1][0]


def apply_new(
    conn: Connection,
    projection: Projection,
    deliveries: list[tuple[Envelope, Delivery]],
    at: datetime,
) -> set[str]:
    """Inside the caller's transaction: apply, in order, the events the projection has not
    applied yet, then write their tracking rows (one lookup and one insert, however many
    events); return the ids applied now."""
    event_ids = [envelope.event_id for envelope, _ in deliveries]
    new = _apply_unseen(
        conn, projection, deliveries, tracking.applied_in(conn, projection.name, event_ids)
    )
    tracking.record_many(conn, new, at)
    return {delivery.event_id for delivery in new}


def _apply_unseen(
    conn: Connection,
    projection: Projection,
    deliveries: list[tuple[Envelope, Delivery]],
    seen: set[str],
) -> list[Delivery]:
    """Apply, in order, the events not among `seen` (the ids the projection has applied);
    their deliveries, whose tracking rows the caller writes."""
    for _, delivery in deliveries:
        if delivery.consumer != projection.name:
            raise ValueError(f"{projection.name} was handed {delivery.consumer}'s delivery")
    new: list[Delivery] = []
    envelopes: list[Envelope] = []
    for envelope, delivery in deliveries:
        if envelope.event_id in seen:
            continue
        seen.add(envelope.event_id)  # the same event twice in a batch applies once
        envelopes.append(envelope)
        new.append(delivery)
    apply_all = getattr(projection, "apply_all", None)
    if apply_all is not None:
        apply_all(conn, envelopes)
    else:
        for envelope in envelopes:
            projection.apply(conn, envelope)
    return new
