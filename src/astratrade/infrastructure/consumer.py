"""A context's consumer of Redis Streams: one consumer group per subscribing context.

The group loop lives here: hold the group's lease, read a batch, have it applied
(`batch_application.BatchApplication`: every event through `delivery.deliver` with its
`Delivery`, whose tracking row commits with the handler's effects), then acknowledge it.
A redelivered event (a crash before XACK, a relay that sent twice) finds its tracking row
and has no second effect.

One consumer of a context works at a time (it holds the group's lease), so each
aggregate's events apply in stream order. A consumer that takes over first applies
everything its predecessors left pending, then reads new messages.

A group with a gate (a trading shard's) works in this process only while the gate is open
(this replica holds the shard): closed, it gives its lease up after the batch in hand, and
the process that opens it next takes over what is pending."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.infrastructure import streams
from astratrade.infrastructure.batch_application import BatchApplication, ConsumerSettings
from astratrade.infrastructure.dead_letters import DeadLetters
from astratrade.infrastructure.group_reads import (
    Message,
    read_group,
    report_backlog,
    take_over_pending,
)
from astratrade.infrastructure.lease import Lease
from astratrade.infrastructure.metrics import BATCH_SECONDS
from astratrade.infrastructure.reconnect import UNREACHABLE, Reconnect
from astratrade.infrastructure.writer import Writer
from astratrade.shared.bus import MessageBus
from astratrade.shared.clock import Clock
from astratrade.shared.errors import Unavailable

__all__ = ["ConsumerSettings", "StreamConsumer", "lease_key"]

logger = logging.getLogger(__name__)
GATE_POLL_SECONDS = 0.1  # a shard taken here gets its events this soon
UNAVAILABLE_RETRY_SECONDS = 0.5


def lease_key(prefix: str, context: str) -> str:
    """Holds the name of the context's consumer at work (GET it to see which one)."""
    return f"{prefix}astratrade.{context}.lease"


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
        gate: Callable[[], bool] | None = None,
    ) -> None:
        self.context = context
        self._gate = gate
        self.name = name
        # redis-py types stream replies as unions of RESP2 and RESP3 shapes; we parse RESP2.
        self._redis: Any = redis
        self._settings = settings or ConsumerSettings()
        self.streams = sorted(
            {streams.events_stream(prefix, s.source) for s in bus.subscriptions(context)}
        )
        self.dead_letters = DeadLetters(redis, prefix, context)
        self._batches = BatchApplication(
            bus,
            db,
            read_db,
            writer,
            clock,
            self.dead_letters,
            context=context,
            settings=self._settings,
        )
        self.lease = Lease(redis, lease_key(prefix, context), self._settings.lease_ms, holder=name)
        self._taking_over = True  # what is pending in the group comes before anything new
        # A batch refused as Unavailable, tried again as it is (taking it over afresh would
        # count a delivery each time, and dead-letter it after a few).
        self._put_off: list[Message] = []
        # Shared by a process's consumers: one log line per attempt for all of them.
        self._reconnect = reconnect or Reconnect(f"consumer:{context}")
        self.last_batch_seconds = 0.0
        self._backlog_reported = 0.0

    @property
    def consumed(self) -> int:
        return self._batches.counts.consumed

    @property
    def duplicates(self) -> int:
        return self._batches.counts.duplicates

    @property
    def failed(self) -> int:
        return self._batches.counts.failed

    @property
    def dead_lettered(self) -> int:
        return self._batches.counts.dead_lettered

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
            if not self._open():
                with suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), GATE_POLL_SECONDS)
                continue
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
        self._taking_over, self._put_off = True, []
        await self.ensure_groups()
        while not stop.is_set() and not self.lease.lost.is_set() and self._open():
            try:
                await self.consume_once()
            except UNREACHABLE:
                raise  # the lease lapses meanwhile: back to the start, with backoff
            except Unavailable as error:
                # Still pending: it goes first, here or in the consumer that takes over.
                logger.warning("%s consumer batch put off: %s", self.context, error)
                await asyncio.sleep(UNAVAILABLE_RETRY_SECONDS)
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

    def _open(self) -> bool:
        return self._gate is None or self._gate()

    async def _after_failure(self) -> None:
        logger.exception("%s consumer batch failed; retrying", self.context)
        self._taking_over = True  # the failed batch is still pending: it goes first
        await asyncio.sleep(1)

    async def consume_once(self) -> int:
        """Handle one batch and acknowledge it; return how many messages it held."""
        messages = self._put_off or await self._next_batch()
        self._put_off = []
        started = time.perf_counter()
        try:
            await self._batches.apply(messages)
        except Unavailable:
            self._put_off = messages
            raise
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
            pending = await take_over_pending(
                self._redis, self.streams, self.context, self.name, self._settings.batch_size
            )
            if pending:
                return pending
            self._taking_over = False
        offsets = dict.fromkeys(self.streams, ">")
        return await read_group(
            self._redis, self.context, self.name, offsets, size, self._settings.block_ms
        )
