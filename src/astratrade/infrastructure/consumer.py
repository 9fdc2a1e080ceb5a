"""A context's consumer of Redis Streams: one consumer group per subscribing context.

A batch's effects and tracking rows commit in one transaction (each handler's unit of work
in a savepoint of its own), and the batch is acknowledged only after that commit: a
redelivered event (a crash before XACK, a relay that sent twice) finds its tracking row and
has no second effect. Failing events are retried with backoff, then moved to the context's
dead-letter stream so the stream keeps flowing.

One consumer of a context works at a time (it holds the group's lease), so each
aggregate's events apply in stream order. A consumer that takes over first applies
everything its predecessors left pending, then reads new messages."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.infrastructure import streams, tracking
from astratrade.infrastructure.dead_letters import DeadLetters
from astratrade.infrastructure.group_reads import (
    Message,
    read_group,
    report_backlog,
    take_over_pending,
)
from astratrade.infrastructure.lease import Lease
from astratrade.infrastructure.metrics import (
    BATCH_SECONDS,
    CONSUMED,
    DEAD_LETTERED,
    DUPLICATES,
    FAILED,
)
from astratrade.infrastructure.reconnect import UNREACHABLE, Reconnect
from astratrade.infrastructure.unit_of_work import SharedTransaction, shared_transaction
from astratrade.infrastructure.writer import Writer
from astratrade.shared.bus import EventHandler, MessageBus
from astratrade.shared.clock import Clock
from astratrade.shared.messages import Envelope, correlation

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConsumerSettings:
    batch_size: int = 500
    block_ms: int = 500
    max_attempts: int = 3  # tries per delivery, with exponential backoff between them
    backoff_seconds: float = 0.05
    max_deliveries: int = 5  # a message taken over this often (consumers died on it) is dead
    lease_ms: int = 5_000  # a dead consumer's successor takes over within this time


def lease_key(prefix: str, context: str) -> str:
    """Holds the name of the context's consumer at work (GET it to see which one)."""
    return f"{prefix}astratrade.{context}.lease"


@dataclass(frozen=True)
class _Work:
    message: Message
    envelope: Envelope
    handler: EventHandler


class StreamConsumer:
    def __init__(
        self,
        redis: Redis,
        bus: MessageBus,
        db: AsyncEngine,
        read_db: AsyncEngine,
        writer: Writer,
        clock: Clock,
        *,
        context: str,
        name: str,
        prefix: str,
        settings: ConsumerSettings | None = None,
        reconnect: Reconnect | None = None,
    ) -> None:
        self.context = context
        self.name = name
        # redis-py types stream replies as unions of RESP2 and RESP3 shapes; we parse RESP2.
        self._redis: Any = redis
        self._bus = bus
        self._db = db
        self._read_db = read_db
        self._writer = writer
        # A batch in one transaction, except on SQLite: it has a single writer, and a batch
        # holding its lock would block the handlers that commit through it (trading's).
        self._together = db.dialect.name != "sqlite"
        self._clock = clock
        self._settings = settings or ConsumerSettings()
        self.streams = sorted(
            {streams.events_stream(prefix, s.source) for s in bus.subscriptions(context)}
        )
        self.dead_letters = DeadLetters(redis, prefix, context)
        self.lease = Lease(redis, lease_key(prefix, context), self._settings.lease_ms, holder=name)
        self._taking_over = True  # what is pending in the group comes before anything new
        # Shared by a process's consumers: one log line per attempt for all of them.
        self._reconnect = reconnect or Reconnect(f"consumer:{context}")
        self.consumed = 0
        self.duplicates = 0
        self.failed = 0
        self.dead_lettered = 0
        self.last_batch_seconds = 0.0
        self._backlog_reported = 0.0

    async def ensure_groups(self) -> None:
        for stream in self.streams:
            try:
                await self._redis.xgroup_create(stream, self.context, id="0", mkstream=True)
            except ResponseError as error:
                if "BUSYGROUP" not in str(error):
                    raise

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until `stop` is set; the batch in hand is finished and acked first.
        While Redis is unreachable, try again with backoff (one log line an attempt)."""
        if not self.streams:
            await stop.wait()
            return
        while not stop.is_set():
            try:
                acquired = await self.lease.acquire()
                self._reconnect.succeeded()
                if acquired:
                    try:
                        await self._consume_while_leased(stop)
                    finally:
                        await self.lease.release()
                    continue
            except UNREACHABLE as error:
                self._taking_over = True  # a batch in hand is still pending: it goes first
                await self._reconnect.wait(error, stop)
                continue
            except Exception:  # the task must outlive whatever went wrong
                logger.exception("%s consumer failed; starting again", self.context)
                await asyncio.sleep(1)
                continue
            # another consumer of this context is at work: stand by
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.lease.retry_seconds)

    async def _consume_while_leased(self, stop: asyncio.Event) -> None:
        self._taking_over = True
        await self.ensure_groups()
        while not stop.is_set() and not self.lease.lost.is_set():
            try:
                await self.consume_once()
            except UNREACHABLE:
                raise  # the lease lapses meanwhile: back to the start, with backoff
            except ResponseError as error:
                if "NOGROUP" not in str(error):
                    await self._after_failure()
                    continue
                # Redis lost the stream (a restart without persistence): the group starts
                # again from the stream's beginning, and tracking rows keep anything
                # already applied from applying twice.
                logger.warning("%s consumer group is gone; creating it again", self.context)
                await self.ensure_groups()
            except Exception:
                await self._after_failure()

    async def _after_failure(self) -> None:
        logger.exception("%s consumer batch failed; retrying", self.context)
        self._taking_over = True  # the failed batch is still pending: it goes first
        await asyncio.sleep(1)

    async def consume_once(self) -> int:
        """Handle one batch and acknowledge it; return how many messages it held."""
        messages = await self._next_batch()
        started = time.perf_counter()
        applied = await self._applied_among(messages)
        work = [item for m in messages if (item := await self._admit(m, applied)) is not None]
        if work and not self._together:
            await self._apply_one_by_one(work)
        elif work and not await self._apply_together(work):
            await self._apply_one_by_one(await self._not_applied(work))
        done: dict[str, list[str]] = {}
        for message in messages:
            done.setdefault(message.stream, []).append(message.message_id)
        for stream, ids in done.items():
            await self._redis.xack(stream, self.context, *ids)
        if messages:
            self.last_batch_seconds = time.perf_counter() - started
            BATCH_SECONDS.labels("consume").observe(self.last_batch_seconds)
        now = time.monotonic()
        if now - self._backlog_reported >= 1:  # at most once a second: one XINFO per stream
            self._backlog_reported = now
            await report_backlog(self._redis, self.streams, self.context)
        return len(messages)

    async def _next_batch(self) -> list[Message]:
        size = self._settings.batch_size
        if self._taking_over:
            # Whatever the group's consumers (this one included) took and never acked.
            pending = await take_over_pending(self._redis, self.streams, self.context, self.name,
                                              self._settings.batch_size)  # fmt: skip
            if pending:
                return pending
            self._taking_over = False
        offsets = dict.fromkeys(self.streams, ">")
        return await read_group(self._redis, self.context, self.name, offsets, size,
                                self._settings.block_ms)  # fmt: skip

    async def _applied_among(self, messages: list[Message]) -> set[str]:
        """One lookup per batch: which of its events this context already applied."""
        event_ids = [m.envelope.event_id for m in messages if isinstance(m.envelope, Envelope)]
        return await tracking.applied_among(self._read_db, self.context, event_ids)

    async def _admit(self, message: Message, applied: set[str]) -> _Work | None:
        """The message's event and handler, if it is ours to apply: not undecodable or
        delivered too often (those are dead-lettered), nor applied already."""
        envelope = message.envelope
        if isinstance(envelope, str):
            await self._dead_letter(message, envelope, 0)
            return None
        handler = self._bus.handler_for(self.context, envelope.type)
        if handler is None:
            return None  # another context's event on a shared stream
        if envelope.event_id in applied:  # applied before, or earlier in this batch
            self.duplicates += 1
            DUPLICATES.labels(message.stream, self.context).inc()
            return None
        applied.add(envelope.event_id)
        if message.deliveries > self._settings.max_deliveries:
            reason = f"delivered {message.deliveries} times without being applied"
            await self._dead_letter(message, reason, message.deliveries)
            return None
        return _Work(message, envelope, handler)

    async def _apply_together(self, work: list[_Work]) -> bool:
        """The whole batch in one transaction that the handlers' units of work join, their
        tracking rows written together at the end. False, with nothing committed, if a
        handler failed: the batch is then applied one by one."""
        shared: SharedTransaction | None = None
        try:
            async with self._db.connect() as conn, conn.begin():
                shared = SharedTransaction(conn)
                token = shared_transaction.set(shared)
                try:
                    deliveries = [await self._run(item) for item in work]
                finally:
                    shared_transaction.reset(token)
                untracked = [d for d in deliveries if not d.recorded]
                await conn.run_sync(tracking.record_many, untracked, self._clock.now())
        except Exception as error:  # rolled back: find the failing event one by one
            logger.info("%s batch failed (%r); applying it one by one", self.context, error)
            return False
        shared.published()
        self._count_consumed(work)
        return True

    async def _not_applied(self, work: list[_Work]) -> list[_Work]:
        """What a failed batch left to apply: some handlers commit on their own (trading's
        single writer), and those commits stand."""
        applied = await tracking.applied_among(
            self._read_db, self.context, [item.envelope.event_id for item in work]
        )
        for item in work:
            if item.envelope.event_id in applied:
                self.duplicates += 1
                DUPLICATES.labels(item.message.stream, self.context).inc()
        return [item for item in work if item.envelope.event_id not in applied]

    async def _apply_one_by_one(self, work: list[_Work]) -> None:
        """Each handler commits alone, with retries; one that keeps failing is dead-lettered."""
        untracked: list[tracking.Delivery] = []
        for item in work:
            problem = await self._apply(item, untracked)
            if problem is not None:
                await self._dead_letter(item.message, problem, self._settings.max_attempts)
        if untracked:  # handlers with nothing to commit: their tracking rows, together
            now = self._clock.now()
            await self._writer.run(lambda conn: tracking.record_many(conn, untracked, now))

    async def _run(self, item: _Work) -> tracking.Delivery:
        """Run the handler with its delivery in hand; the delivery says if it was tracked."""
        message = item.message
        delivery = tracking.Delivery(
            self.context, item.envelope.event_id, message.stream, message.message_id
        )
        token = tracking.current_delivery.set(delivery)
        request = correlation.set(item.envelope.correlation_id)
        try:
            await item.handler(item.envelope)
        finally:
            correlation.reset(request)
            tracking.current_delivery.reset(token)
        return delivery

    def _count_consumed(self, work: list[_Work]) -> None:
        self.consumed += len(work)
        per_stream = Counter(item.message.stream for item in work)
        for stream, count in per_stream.items():
            CONSUMED.labels(stream, self.context).inc(count)

    async def _apply(self, item: _Work, untracked: list[tracking.Delivery]) -> str | None:
        """Apply with retries; None once applied, else the last error."""
        last_error = ""
        for attempt in range(self._settings.max_attempts):
            try:
                delivery = await self._run(item)
                if not delivery.recorded:  # the handler had nothing to commit
                    untracked.append(delivery)
                self._count_consumed([item])
                return None
            except IntegrityError:
                self.duplicates += 1  # another consumer applied it meanwhile
                DUPLICATES.labels(item.message.stream, self.context).inc()
                return None
            except Exception as error:
                self.failed += 1
                FAILED.labels(item.message.stream, self.context).inc()
                last_error = f"{type(error).__name__}: {error}"
                logger.warning("%s attempt %d on %s failed: %s", self.context, attempt + 1,
                               item.envelope.event_id, last_error)  # fmt: skip
                await asyncio.sleep(self._settings.backoff_seconds * 2**attempt)
        return last_error

    async def _dead_letter(self, message: Message, error: str, attempts: int) -> None:
        await self.dead_letters.add(message.stream, message.message_id, message.fields, error,
                                    attempts, self._clock.now())  # fmt: skip
        self.dead_lettered += 1
        DEAD_LETTERED.labels(message.stream, self.context).inc()
        logger.error("%s dead-lettered %s: %s", self.context, message.message_id, error)
