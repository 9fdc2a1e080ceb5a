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
from redis.exceptions import ResponseError
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from astratrade.infrastructure import event_store, streams
from astratrade.infrastructure.metrics import (
    BATCH_SECONDS,
    OUTBOX_BACKLOG,
    PUBLISHED,
    count_committed,
)
from astratrade.infrastructure.reconnect import UNREACHABLE, Reconnect, outage_as_unreachable
from astratrade.infrastructure.writer import Writer
from astratrade.shared.clock import Clock
from astratrade.shared.messages import Envelope

logger = logging.getLogger(__name__)

# In its platform's process, commits wake the relay; this poll is only a fallback.
IN_PROCESS_POLL_SECONDS = 0.2


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
        idle_poll_seconds: float = IN_PROCESS_POLL_SECONDS,
        replay_window_seconds: int = 86_400,
    ) -> None:
        self.redis: Any = redis  # stream replies are parsed as RESP2 shapes
        self._db = read_db
        self._writer = writer
        self._clock = clock
        self._prefix = prefix
        self._batch_size = batch_size
        self.idle_poll_seconds = idle_poll_seconds
        self._replay_window = timedelta(seconds=replay_window_seconds)
        self._streams_checked = 0.0
        self._backlog_counted = 0.0
        self._wake = asyncio.Event()
        self._reconnect = Reconnect("relay")
        self.published = 0
        self.last_batch_seconds = 0.0

    def committed(self, envelopes: list[Envelope]) -> None:
        count_committed(envelopes)
        if envelopes:
            self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until `stop` is set; the batch in hand is always finished first."""
        while not stop.is_set():
            self._wake.clear()  # before reading: a commit during the batch wakes us again
            try:
                if self._reconnect.down:  # a batch may have nothing for Redis: ask it first
                    await self.redis.ping()
                    self._reconnect.succeeded()
                sent = await self.relay_once()
            except UNREACHABLE as error:  # the outbox keeps every event until Redis is back
                await self._reconnect.wait(error, stop)
                continue
            except Exception:
                logger.exception("relay batch failed; retrying")
                sent = 0
                await _sleep_or_stop(stop, 1.0)
            if sent < self._batch_size:
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.idle_poll_seconds)

    async def relay_once(self) -> int:
        """Send one batch of unpublished outbox rows; return how many."""
        async with self._db.connect() as conn:
            batch = await event_store.unpublished_entries(conn, limit=self._batch_size)
            await self._show_backlog(conn, len(batch))
        if not batch:
            await self._check_streams()
            return 0
        started = time.perf_counter()
        sent: dict[str, int] = {}
        pipeline = self.redis.pipeline(transaction=False)
        for entry in batch:
            stream = streams.events_stream(self._prefix, entry.context)
            pipeline.xadd(stream, streams.encoded(entry.envelope_json))
            sent[stream] = sent.get(stream, 0) + 1
        for stream in sent:  # Redis's own count of entries ever added, after this batch
            pipeline.xinfo_stream(stream)
        async with outage_as_unreachable(self.redis):
            replies = await pipeline.execute()
        infos = zip(sent, replies[len(batch) :], strict=True)
        counted = {stream: int(info["entries-added"]) for stream, info in infos}
        if not await self._commit(batch, sent, counted):
            return 0
        self.published += len(batch)
        for stream, count in sent.items():
            PUBLISHED.labels(stream).inc(count)
        self.last_batch_seconds = time.perf_counter() - started
        BATCH_SECONDS.labels("relay").observe(self.last_batch_seconds)
        return len(batch)

    async def _show_backlog(self, conn: AsyncConnection, read: int) -> None:
        """The backlog gauge: a batch that was not full is the whole backlog; behind a full
        one, the outbox is counted (at most once a second: a count reads the whole backlog)."""
        if read < self._batch_size:
            OUTBOX_BACKLOG.set(read)
            return
        now = time.monotonic()
        if now - self._backlog_counted >= 1:
            self._backlog_counted = now
            OUTBOX_BACKLOG.set(await event_store.unpublished_count(conn))

    async def _check_streams(self) -> None:
        """While idle (at most once a second), compare Redis's counts with ours: a loss with
        nothing more to send would otherwise go unnoticed until the next event."""
        now = time.monotonic()
        if now - self._streams_checked < 1:
            return
        self._streams_checked = now
        known = await self._writer.run(event_store.relayed_counts)
        for stream, count in known.items():
            try:
                info = await self.redis.xinfo_stream(stream)
            except ResponseError:  # no such stream: Redis lost it
                info = {"entries-added": 0}
            if int(info["entries-added"]) < count:
                await self._replay_window_again({stream: int(info["entries-added"])})
                return

    async def _replay_window_again(self, counted: dict[str, int]) -> None:
        since = self._clock.now() - self._replay_window

        def queue(conn: Connection) -> None:
            event_store.forget_relayed_counts(conn)
            event_store.save_relayed_counts(conn, counted)
            resent = event_store.unpublish_since(conn, since)
            logger.warning("Redis lost stream data: sending %d events again", resent)

        await self._writer.run(queue)

    async def _commit(
        self, batch: list[event_store.OutboxEntry], sent: dict[str, int], counted: dict[str, int]
    ) -> bool:
        """Mark the batch published; or, if Redis lost a stream's data (it counts fewer
        entries than we added), queue the replay window's events to be sent again —
        consumers skip the ones they already applied — and return False."""
        event_ids, now = [e.event_id for e in batch], self._clock.now()

        def commit(conn: Connection) -> bool:
            event_store.without_waiting_for_disk(conn)
            known = event_store.relayed_counts(conn)
            if any(counted[s] < known.get(s, 0) + n for s, n in sent.items()):
                return False
            event_store.mark_published(conn, event_ids, now)
            event_store.save_relayed_counts(conn, {s: known.get(s, 0) + n for s, n in sent.items()})
            return True

        if await self._writer.run(commit):
            return True
        # Count afresh from what Redis holds now; every stream's events of the window are
        # sent again (this batch included), so no other stream needs its old count.
        await self._replay_window_again(counted)
        return False


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
