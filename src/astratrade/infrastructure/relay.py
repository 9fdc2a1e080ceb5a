"""The outbox relay: committed outbox rows to Redis Streams, in order, in batches.

Rows are read in outbox order (commit order), so events keep their order per aggregate on
each context's stream. A batch is sent with one pipelined XADD round trip, then marked
published. A crash between the two sends the batch again on restart; consumers' tracking
rows make the duplicates harmless (at-least-once delivery, exactly-once effects)."""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import suppress
from datetime import timedelta
from typing import Any

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.infrastructure import event_store, streams
from astratrade.infrastructure.metrics import BATCH_SECONDS, PUBLISHED
from astratrade.infrastructure.writer import Writer
from astratrade.shared.clock import Clock
from astratrade.shared.messages import Envelope

logger = logging.getLogger(__name__)


class OutboxRelay:
    """Also the EventPublisher of a platform that uses Redis: a commit wakes it at once."""

    def __init__(
        self,
        redis: Redis,
        read_db: AsyncEngine,
        writer: Writer,
        clock: Clock,
        *,
        prefix: str,
        batch_size: int = 500,
        idle_poll_seconds: float = 0.2,
        replay_window_seconds: int = 86_400,
    ) -> None:
        self.redis: Any = redis  # stream replies are parsed as RESP2 shapes
        self._db = read_db
        self._writer = writer
        self._clock = clock
        self._prefix = prefix
        self._batch_size = batch_size
        self._idle_poll = idle_poll_seconds
        self._replay_window = timedelta(seconds=replay_window_seconds)
        self._marker = f"{prefix}astratrade.relay.marker"
        self._wake = asyncio.Event()
        self.published = 0
        self.last_batch_seconds = 0.0

    def committed(self, envelopes: list[Envelope]) -> None:
        if envelopes:
            self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until `stop` is set; the batch in hand is always finished first."""
        while not stop.is_set():
            try:
                sent = await self.relay_once()
            except Exception:
                logger.exception("relay batch failed; retrying")
                sent = 0
                await _sleep_or_stop(stop, 1.0)
            if sent < self._batch_size:
                self._wake.clear()
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._idle_poll)

    async def relay_once(self) -> int:
        """Send one batch of unpublished outbox rows; return how many."""
        await self._recover_lost_streams()
        async with self._db.connect() as conn:
            batch = await event_store.unpublished(conn, limit=self._batch_size)
        if not batch:
            return 0
        started = time.perf_counter()
        pipeline = self.redis.pipeline(transaction=False)
        pipeline.set(self._marker, "1")  # lost with the streams if Redis loses its data
        for envelope in batch:
            pipeline.xadd(
                streams.events_stream(self._prefix, envelope.context), streams.encode(envelope)
            )
        await pipeline.execute()
        event_ids, now = [e.event_id for e in batch], self._clock.now()
        await self._writer.run(lambda conn: event_store.mark_published(conn, event_ids, now))
        self.published += len(batch)
        for envelope in batch:
            PUBLISHED.labels(streams.events_stream(self._prefix, envelope.context)).inc()
        self.last_batch_seconds = time.perf_counter() - started
        BATCH_SECONDS.labels("relay").observe(self.last_batch_seconds)
        return len(batch)

    async def _recover_lost_streams(self) -> None:
        """If Redis lost its data since we last sent (the marker written with every batch is
        gone), send the replay window's events again: consumers skip what they applied."""
        if await self.redis.exists(self._marker):
            return
        since = self._clock.now() - self._replay_window
        resent = await self._writer.run(lambda conn: event_store.unpublish_since(conn, since))
        if resent:
            logger.warning("Redis lost its streams: sending %d events again", resent)
        await self.redis.set(self._marker, "1")


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
