"""Applying one batch of a stream consumer's messages, exactly once.

A projection's consumer (its subscriptions all hand events to one `ProjectionFeed`) has
the batch applied in one single-writer transaction with its tracking rows
(`ProjectionFeed.apply_all_once`), on SQLite as on PostgreSQL: projections are pure
functions of a connection, so the batch is a step of the single writer like any other
(on SQLite one step per EXCLUSIVE_WRITER_EVENTS, so that the writes queued behind it
wait little).

Other consumers' events go through `delivery.deliver` with a `Delivery` carrying its
tracking record. On PostgreSQL the delivery also carries the batch's `BatchTransaction`:
the handlers' units of work join it, the tracking rows of handlers with nothing to commit
are written together at its end, and the whole batch commits once (the consumer
acknowledges it afterwards). A unit of work that keeps its state in memory commits on its
own with its tracking row and marks the delivery recorded. On SQLite they are applied one
by one (see `BatchApplication.__init__`).

If a batch fails, nothing of it commits (bar what such units of work committed on their
own) and it is applied one by one: each event with retries and backoff, then
dead-lettered so the stream keeps flowing. An event refused as `Unavailable` (its shard
moved to another replica, the database is away) is no fault of its own: the batch stays
pending and unacknowledged, to be applied again. A redelivered event finds its tracking row and
is skipped."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.infrastructure import tracking
from astratrade.infrastructure.dead_letters import DeadLetters
from astratrade.infrastructure.delivery import deliver
from astratrade.infrastructure.group_reads import Message
from astratrade.infrastructure.metrics import CONSUMED, DEAD_LETTERED, DUPLICATES, FAILED
from astratrade.infrastructure.projections import ProjectionFeed, feed_of
from astratrade.infrastructure.unit_of_work import BatchTransaction
from astratrade.infrastructure.writer import Writer
from astratrade.shared.bus import MessageBus, Subscription
from astratrade.shared.clock import Clock
from astratrade.shared.delivery import Delivery
from astratrade.shared.errors import Unavailable
from astratrade.shared.messages import Envelope

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConsumerSettings:
    batch_size: int = 500
    block_ms: int = 500
    max_attempts: int = 3  # tries per delivery, with exponential backoff between them
    backoff_seconds: float = 0.05
    max_deliveries: int = 5  # a message taken over this often (consumers died on it) is dead
    lease_ms: int = 5_000  # a dead consumer's successor takes over within this time


@dataclass
class ConsumerCounts:
    consumed: int = 0
    duplicates: int = 0
    failed: int = 0
    dead_lettered: int = 0


@dataclass(frozen=True)
class _Work:
    message: Message
    envelope: Envelope
    subscription: Subscription

    def delivery(self, batch: BatchTransaction | None = None) -> Delivery:
        message = self.message
        return Delivery(
            self.subscription.consumer,
            self.envelope.event_id,
            message.stream,
            message.message_id,
            batch,
        )


def _one_feed(work: list[_Work]) -> ProjectionFeed | None:
    """The projection feed that every event of the batch goes to, if there is one."""
    feeds = {feed_of(item.subscription) for item in work}
    feed = feeds.pop()
    return feed if not feeds else None


class BatchApplication:
    """Applies a context's batches: a projection's, or (`together`) any other's, in one
    transaction, else one by one."""

    def __init__(
        self,
        bus: MessageBus,
        db: AsyncEngine,
        read_db: AsyncEngine,
        writer: Writer,
        clock: Clock,
        dead_letters: DeadLetters,
        *,
        context: str,
        settings: ConsumerSettings,
    ) -> None:
        self.context = context
        self.counts = ConsumerCounts()
        self._bus = bus
        self._db = db
        self._read_db = read_db
        self._writer = writer
        self._clock = clock
        self._dead_letters = dead_letters
        self._settings = settings
        # Other than a projection's, a batch in one transaction, except on SQLite: it has a
        # single writer, and a batch holding its lock (on a connection of its own, for the
        # handlers' async units of work) would block the handlers that commit through the
        # writer on their own (trading's engine), and every other writer meanwhile.
        self._together = db.dialect.name != "sqlite"

    async def apply(self, messages: list[Message]) -> None:
        """Apply what is new among these messages; dead-letter what cannot be applied."""
        applied = await self._applied_among(messages)
        work = [item for m in messages if (item := await self._admit(m, applied)) is not None]
        if not work:
            return
        feed = _one_feed(work)
        if feed is not None:
            if not await self._project(feed, work):
                # Nothing of it committed (or all of it, if what follows the commit
                # failed): one by one, each application finds its tracking row or writes it.
                await self._apply_one_by_one(work)
        elif not self._together:
            await self._apply_one_by_one(work)
        elif not await self._apply_together(work):
            await self._apply_one_by_one(await self._not_applied(work))

    async def _applied_among(self, messages: list[Message]) -> set[str]:
        """One lookup per batch: which of its events this context already applied."""
        event_ids = [m.envelope.event_id for m in messages if isinstance(m.envelope, Envelope)]
        return await tracking.applied_among(self._read_db, self.context, event_ids)

    async def _admit(self, message: Message, applied: set[str]) -> _Work | None:
        """The message's event and subscription, if it is ours to apply: not undecodable or
        delivered too often (those are dead-lettered), nor applied already."""
        envelope = message.envelope
        if isinstance(envelope, str):
            await self.dead_letter(message, envelope, 0)
            return None
        subscription = self._bus.subscription_for(self.context, envelope.type)
        if subscription is None:
            return None  # another context's event on a shared stream
        if envelope.event_id in applied:  # applied before, or earlier in this batch
            self._count_duplicate(message.stream)
            return None
        applied.add(envelope.event_id)
        if message.deliveries > self._settings.max_deliveries:
            reason = f"delivered {message.deliveries} times without being applied"
            await self.dead_letter(message, reason, message.deliveries)
            return None
        return _Work(message, envelope, subscription)

    async def _project(self, feed: ProjectionFeed, work: list[_Work]) -> bool:
        """The batch in one transaction of the projection's; False if it failed."""
        try:
            applied = await feed.apply_all_once([(i.envelope, i.delivery()) for i in work])
        except Exception as error:
            logger.info("%s batch failed (%r); applying it one by one", self.context, error)
            return False
        self._count_consumed([item for item in work if item.envelope.event_id in applied])
        for item in work:
            if item.envelope.event_id not in applied:  # applied by another meanwhile
                self._count_duplicate(item.message.stream)
        return True

    async def _apply_together(self, work: list[_Work]) -> bool:
        """The whole batch in one transaction that the handlers' units of work join, the
        tracking rows they left unwritten written together at the end. False, with nothing
        committed, if a handler failed: the batch is then applied one by one."""
        batch: BatchTransaction | None = None
        try:
            async with self._db.connect() as conn, conn.begin():
                batch = BatchTransaction(conn)
                untracked = []
                for item in work:
                    delivery = item.delivery(batch)
                    if not await deliver(item.subscription, item.envelope, delivery):
                        untracked.append(delivery)
                await conn.run_sync(tracking.record_many, untracked, self._clock.now())
        except Exception as error:  # rolled back: find the failing event one by one
            logger.info("%s batch failed (%r); applying it one by one", self.context, error)
            return False
        batch.published()
        self._count_consumed(work)
        return True

    async def _not_applied(self, work: list[_Work]) -> list[_Work]:
        """What a failed batch left to apply: handlers whose units of work commit on their
        own (a single writer keeping its state in memory) stand committed."""
        applied = await tracking.applied_among(
            self._read_db, self.context, [item.envelope.event_id for item in work]
        )
        for item in work:
            if item.envelope.event_id in applied:
                self._count_duplicate(item.message.stream)
        return [item for item in work if item.envelope.event_id not in applied]

    async def _apply_one_by_one(self, work: list[_Work]) -> None:
        """Each handler commits alone, with retries; one that keeps failing is dead-lettered."""
        untracked: list[Delivery] = []
        for item in work:
            problem = await self._apply(item, untracked)
            if problem is not None:
                await self.dead_letter(item.message, problem, self._settings.max_attempts)
        if untracked:  # handlers with nothing to commit: their tracking rows, together
            now = self._clock.now()
            await self._writer.run(lambda conn: tracking.record_many(conn, untracked, now))

    async def _apply(self, item: _Work, untracked: list[Delivery]) -> str | None:
        """Apply with retries; None once applied, else the last error."""
        last_error = ""
        for attempt in range(self._settings.max_attempts):
            delivery = item.delivery()
            try:
                if not await deliver(item.subscription, item.envelope, delivery):
                    untracked.append(delivery)  # the handler had nothing to commit
                self._count_consumed([item])
                return None
            except IntegrityError:
                self._count_duplicate(item.message.stream)  # applied by another meanwhile
                return None
            except Unavailable:
                # Not this event's fault (its shard moved, the database is away): the batch
                # stays pending, for this consumer later or the one that takes over.
                raise
            except Exception as error:
                self.counts.failed += 1
                FAILED.labels(item.message.stream, self.context).inc()
                last_error = f"{type(error).__name__}: {error}"
                logger.warning(
                    "%s attempt %d on %s failed: %s",
                    self.context,
                    attempt + 1,
                    item.envelope.event_id,
                    last_error,
                )
                await asyncio.sleep(self._settings.backoff_seconds * 2**attempt)
        return last_error

    def _count_consumed(self, work: list[_Work]) -> None:
        self.counts.consumed += len(work)
        per_stream = Counter(item.message.stream for item in work)
        for stream, count in per_stream.items():
            CONSUMED.labels(stream, self.context).inc(count)

    def _count_duplicate(self, stream: str) -> None:
        self.counts.duplicates += 1
        DUPLICATES.labels(stream, self.context).inc()

    async def dead_letter(self, message: Message, error: str, attempts: int) -> None:
        await self._dead_letters.add(
            message.stream, message.message_id, message.fields, error, attempts, self._clock.now()
        )
        self.counts.dead_lettered += 1
        DEAD_LETTERED.labels(message.stream, self.context).inc()
        logger.error("%s dead-lettered %s: %s", self.context, message.message_id, error)
