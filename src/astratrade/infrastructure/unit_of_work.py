"""The unit of work: state, audit events and outbox rows commit in one transaction.

Inside a stream consumer's batch the units of work of its handlers join the batch's
transaction (`SharedTransaction`): they see each other's writes, the consumer writes all the
tracking rows together, and everything commits once before the batch is acknowledged. If a
handler fails, the whole batch rolls back and the consumer applies it one by one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from astratrade.infrastructure import event_store, tracking
from astratrade.shared.bus import EventPublisher
from astratrade.shared.clock import Clock
from astratrade.shared.ids import IdFactory, new_id
from astratrade.shared.messages import Aggregate, Envelope, number_events

Flush = Callable[[AsyncConnection], Awaitable[None]]


@dataclass
class SharedTransaction:
    connection: AsyncConnection
    committed: list[tuple[EventPublisher, list[Envelope]]] = field(default_factory=list)

    def published(self) -> None:
        """Tell the publishers once the batch's transaction has committed."""
        for publisher, envelopes in self.committed:
            publisher.committed(envelopes)
        self.committed.clear()


shared_transaction: ContextVar[SharedTransaction | None] = ContextVar(
    "shared_transaction", default=None
)


class SqlUnitOfWork:
    """Opens its connection lazily: a use case that changes nothing touches no database."""

    def __init__(
        self,
        engine: AsyncEngine,
        publisher: EventPublisher,
        clock: Clock,
        ids: IdFactory = new_id,
    ) -> None:
        self._engine = engine
        self._publisher = publisher
        self._clock = clock
        self._ids = ids
        self._conn: AsyncConnection | None = None
        self._shared: SharedTransaction | None = None
        self._tracked: dict[int, Aggregate] = {}
        self._flushes: list[Flush] = []

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
            self._shared = shared_transaction.get()
            if self._shared is not None:
                self._conn = self._shared.connection
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

    async def commit(self) -> list[Envelope]:
        now = self._clock.now()
        envelopes = number_events(self._tracked.values(), now, self._ids)
        in_batch = shared_transaction.get() is not None  # the batch writes tracking rows
        delivery = None if in_batch else tracking.pending_delivery()
        if not envelopes and not self._flushes and self._conn is None and delivery is None:
            return []
        conn = await self.connection()
        for flush in self._flushes:
            await flush(conn)
        await event_store.append(conn, envelopes)
        if delivery is not None:
            await tracking.record(conn, delivery, now)
        shared = self._shared
        if shared is None:
            await conn.commit()
        else:  # the batch commits it, then tells the publisher
            shared.committed.append((self._publisher, envelopes))
        if delivery is not None:
            delivery.recorded = True
        await self._close(rollback=False)
        if shared is None:
            self._publisher.committed(envelopes)
        return envelopes

    async def rollback(self) -> None:
        await self._close(rollback=True)

    async def _close(self, *, rollback: bool) -> None:
        self._flushes.clear()
        if self._conn is None:
            return
        conn, self._conn = self._conn, None
        if self._shared is not None:
            self._shared = None  # a failure rolls the whole batch back
            return
        try:
            if rollback and conn.in_transaction():
                await conn.rollback()
        finally:
            await conn.close()
