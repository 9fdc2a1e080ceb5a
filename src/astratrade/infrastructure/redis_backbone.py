"""The Redis Streams event backbone of one process: the outbox relay and the consumers of
the contexts it hosts. It stands behind the same port as the in-process dispatcher."""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from datetime import datetime
from typing import Any

from redis.exceptions import ResponseError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.infrastructure import streams
from astratrade.infrastructure.backbone import Watcher
from astratrade.infrastructure.consumer import StreamConsumer
from astratrade.infrastructure.event_store import outbox
from astratrade.infrastructure.reconnect import UNREACHABLE, Reconnect, outage_as_unreachable
from astratrade.infrastructure.relay import OutboxRelay
from astratrade.shared.messages import Envelope

logger = logging.getLogger(__name__)


class RedisBackbone:
    def __init__(
        self,
        redis: Any,
        relay: OutboxRelay,
        consumers: list[StreamConsumer],
        read_db: AsyncEngine,
        *,
        run_relay: bool = True,
        all_consumers: list[StreamConsumer] | None = None,
        event_streams: list[str] | None = None,
    ) -> None:
        self.redis = redis
        self.relay = relay
        self.consumers = consumers  # the ones this process runs
        # Every context's consumer, for workers started separately (`astratrade worker`).
        self.all_consumers = all_consumers if all_consumers is not None else consumers
        self._db = read_db
        self._run_relay = run_relay
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._event_streams = event_streams or []  # every context's, for watchers
        self._watchers: list[Watcher] = []

    def watch(self, watcher: Watcher) -> None:
        """Every process tails every stream itself (XREAD, no group): each one sees every
        event, from when it started, with its position in its stream."""
        self._watchers.append(watcher)

    def committed(self, envelopes: list[Envelope]) -> None:
        self.relay.committed(envelopes)

    async def start(self) -> None:
        self._stop.clear()
        if self._run_relay:
            self._tasks.append(asyncio.create_task(self.relay.run(self._stop), name="relay"))
        if self._watchers and self._event_streams:
            self._tasks.append(asyncio.create_task(self._tail(), name="event-tail"))
        for consumer in self.consumers:
            task = asyncio.create_task(
                consumer.run(self._stop), name=f"{consumer.context}-consumer"
            )
            self._tasks.append(task)

    async def ready(self) -> bool:
        try:
            return bool(await self.redis.ping())
        except Exception:  # any failure to answer means not ready
            return False

    async def _tail(self) -> None:
        offsets = dict.fromkeys(self._event_streams, "$")
        reconnect, shown = Reconnect("event-tail"), ShownEvents()
        while not self._stop.is_set():
            try:
                async with outage_as_unreachable(self.redis):
                    reply = await self.redis.xread(offsets, count=500, block=500)
                reconnect.succeeded()
            except UNREACHABLE as error:
                await reconnect.wait(error, self._stop)
                continue
            except Exception:
                logger.exception("event tail cannot read Redis; retrying")
                await asyncio.sleep(1)
                continue
            for stream, messages in reply or []:
                for message_id, fields in messages:
                    offsets[stream] = message_id
                    with suppress(KeyError, ValueError, TypeError):
                        envelope = streams.decode(fields)
                        if shown.first_time(envelope):
                            for watcher in self._watchers:
                                await watcher(envelope, streams.position(message_id))

    async def stop(self) -> None:
        """Let each worker finish and acknowledge its batch, then close the connection."""
        self._stop.set()
        if self._tasks:
            _done, late = await asyncio.wait(self._tasks, timeout=10)
            for task in late:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task
        self._tasks.clear()
        await self.redis.aclose()

    async def drain(self) -> None:
        """Wait until every committed event is on its stream and handled by every group
        (callers bound the wait with asyncio.timeout)."""
        # The state lives in the database and Redis, shared with other processes: poll it.
        while not await self._idle():  # noqa: ASYNC110
            await asyncio.sleep(0.02)

    async def _idle(self) -> bool:
        async with self._db.connect() as conn:
            waiting = await conn.scalar(
                select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            )
        if waiting:
            return False
        for consumer in self.all_consumers:
            for stream in consumer.streams:
                try:
                    groups = await self.redis.xinfo_groups(stream)
                except ResponseError:  # no such stream (yet): Redis lost it, it comes back
                    return False
                mine = [g for g in groups if g["name"] == consumer.context]
                if not mine and consumer in self.consumers:
                    return False  # a consumer here has yet to create its group again
                if any(g["pending"] or g.get("lag") for g in mine):
                    return False
        return True


class ShownEvents:
    """The events the watchers were shown lately, so that a stream Redis lost and the relay
    filled again (the last 24 h of events) shows them nothing twice. Bounded: an event older
    than the oldest one remembered is taken for a replay as well."""

    def __init__(self, capacity: int = 100_000) -> None:
        self._ids: dict[str, datetime] = {}  # insertion order: the oldest first
        self._capacity = capacity
        self._forgotten_up_to: datetime | None = None

    def first_time(self, envelope: Envelope) -> bool:
        if envelope.event_id in self._ids:
            return False
        floor = self._forgotten_up_to
        if floor is not None and envelope.occurred_at < floor:
            return False
        self._ids[envelope.event_id] = envelope.occurred_at
        if len(self._ids) > self._capacity:
            oldest = next(iter(self._ids))
            forgotten = self._ids.pop(oldest)
            self._forgotten_up_to = forgotten if floor is None else max(floor, forgotten)
        return True
