"""The unit of work: state, audit events, outbox rows and the tracking row of the delivery
being handled commit in one transaction.

A handler gives its unit of work the `Delivery` it received; every commit ends in
`record_effects` (the events to the audit log and outbox, then the delivery's tracking
row), so an event delivered again finds its row and has no second effect. A delivery from
a stream consumer's batch carries the batch's `BatchTransaction`: the unit of work joins
it, the batch's handlers see each other's writes, the consumer writes the tracking rows of
the whole batch together, and everything commits once before the batch is acknowledged. If
a handler fails, the whole batch rolls back and the consumer applies it one by one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Self

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from astratrade.infrastructure import event_store, tracking
from astratrade.shared.bus import EventPublisher
from astratrade.shared.clock import Clock
from astratrade.shared.delivery import Delivery
from astratrade.shared.errors import Conflict
from astratrade.shared.ids import IdFactory, new_id
from astratrade.shared.messages import Aggregate, Envelope, number_events

Flush = Callable[[AsyncConnection], Awaitable[None]]


@dataclass(eq=False)
class BatchTransaction:
    """A stream consumer batch's open transaction, which its handlers' units of work join."""

    connection: AsyncConnection
    committed: list[tuple[EventPublisher, list[Envelope]]] = field(default_factory=list)

    def published(self) -> None:
        """Tell the publishers once the batch's transaction has committed."""
        for publisher, envelopes in self.committed:
            publisher.committed(envelopes)
        self.committed.clear()


def batch_of(delivery: Delivery | None) -> BatchTransaction | None:
    """The consumer batch's transaction that this delivery's effects join, if any."""
    batch = None if delivery is None else delivery.batch
    if batch is None or isinstance(batch, BatchTransaction):
        return batch
    raise TypeError(f"a delivery's batch is a BatchTransaction, not {type(batch).__name__}")


def record_effects(
    conn: Connection, envelopes: list[Envelope], deliveries: Sequence[Delivery], at: datetime
) -> None:
    """How every commit ends, inside its transaction: the events to the audit log and the
    outbox, and the tracking rows of the deliveries whose effects these are (none: no event
    being handled, or their rows written by someone else: an earlier commit, the batch)."""
    event_store.append_sync(conn, envelopes)
    if len(deliveries) == 1:
        tracking.record_sync(conn, deliveries[0], at)
    else:
        tracking.record_many(conn, list(deliveries), at)


class SqlUnitOfWork:
    """Opens its connection lazily: a use case that changes nothing touches no database."""

    def __init__(
        self,
        engine: AsyncEngine,
        publisher: EventPublisher,
        clock: Clock,
        ids: IdFactory = new_id,
        *,
        delivery: Delivery | None = None,
        deliveries: Sequence[Delivery] = (),
    ) -> None:
        """`delivery`: the event whose effects this commit holds; `deliveries`: several
        (an in-process batch handed to one handler at once), all tracked in the commit."""
        self._engine = engine
        self._publisher = publisher
        self._clock = clock
        self._ids = ids
        self._conn: AsyncConnection | None = None
        self._deliveries = [delivery] if delivery is not None else list(deliveries)
        self._batch = batch_of(self._deliveries[0]) if self._deliveries else None
        self._tracked: dict[int, Aggregate] = {}
        self._flushes: list[Flush] = []
        self._sealed: list[Envelope] = []  # numbered, to append on commit
        # The moment the commit under way numbers its events at: what a repository's flush
        # writes of them (a history line) carries the events' own time.
        self.committing_at: datetime | None = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._close(rollback=True)

    async def connection(self) -> AsyncConnection:
        if self._conn is None:
            if self._batch is not None:
                self._conn = self._batch.connection
                return self._conn
            self._conn = await self._engine.connect()
            await self._conn.begin()
        return self._conn

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    def track(self, aggregate: Aggregate) -> None:
        """Collect this aggregate's recorded events on commit."""
        self._tracked.setdefault(id(aggregate), aggregate)

    def on_commit(self, flush: Flush) -> None:
        """Run a repository's writes inside the transaction, just before the events."""
        self._flushes.append(flush)

    def seal(self) -> None:
        """Number the events recorded so far now, under the correlation id now current: a
        handler committing several events' effects at once seals after each, so that what
        each recorded carries that event's correlation, as one commit an event would."""
        now = self._clock.now()
        self._sealed += number_events(self._tracked.values(), now, self._ids)

    async def commit(self) -> list[Envelope]:
        now = self.committing_at = self._clock.now()
        sealed, self._sealed = self._sealed, []
        envelopes = sealed + number_events(self._tracked.values(), now, self._ids)
        # The batch writes its tracking rows together; a row already written is not again.
        pending = [] if self._batch is not None else [d for d in self._deliveries if d.pending]
        if not envelopes and not self._flushes and self._conn is None and not pending:
            return []
        conn = await self.connection()
        for flush in self._flushes:
            await flush(conn)
        if envelopes or pending:
            await conn.run_sync(record_effects, envelopes, pending, now)
        batch = self._batch
        if batch is None:
            await conn.commit()
        else:  # the batch commits it, then tells the publisher
            batch.committed.append((self._publisher, envelopes))
        for delivery in pending:
            delivery.recorded = True
        await self._close(rollback=False)
        if batch is None:
            self._publisher.committed(envelopes)
        return envelopes

    async def commit_refusing_races(self) -> None:
        """`commit`, where a uniqueness violation is a request's race (two requests changed
        the same thing at once: the audit log's key or a table's uniqueness caught it, and
        nothing of this one was kept) answered as Conflict; handling an event, it is the
        event's tracking row (applied already) and is raised as it is."""
        try:
            await self.commit()
        except IntegrityError as error:
            if self._deliveries:
                raise
            raise Conflict("changed by another request meanwhile; try again") from error

    async def rollback(self) -> None:
        await self._close(rollback=True)

    async def _close(self, *, rollback: bool) -> None:
        self._flushes.clear()
        self._sealed = []
        if self._conn is None:
            return
        conn, self._conn = self._conn, None
        if self._batch is not None:
            return  # the batch's own: a failure rolls the whole batch back
        try:
            if rollback and conn.in_transaction():
                await conn.rollback()
        finally:
            await conn.close()
