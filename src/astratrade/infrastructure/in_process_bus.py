"""Embedded-mode delivery of committed events: outbox rows go to in-process subscribers.

Delivery is asynchronous, as it is through Redis Streams, and at least once: rows left
unpublished by a crash (at most the last MARK_INTERVAL_SECONDS of deliveries) are
delivered again on the next start. Events are taken from the queue in batches of whole
commits, in commit order: a commit's events are never split across batches (copy
trading's 500 decisions, split, left the last copy order waiting behind the read models
of the others' fills).

A batch's events go first to the consumers whose handlers are marked ahead of the read
models (`shared.bus.ahead_of_read_models`: copy trading and trading, which read no read
model and which a leader's copiers wait on), and so do the commits those handlers make
meanwhile, which join the batch while it holds under BATCH_EVENTS. Then to the
projections: each projection gets its share of the batch in one single-writer
transaction with its tracking rows (`projections.ProjectionFeed.apply_all_once`), or,
should that fail, event by event so that the bad one fails alone. Then each batch handler
(`shared.bus.BatchHandler`) gets its share at once, in one commit (event by event should
that fail). Then, event by event, the other subscribers, each through the same
`delivery.deliver` as a stream consumer's, with a `Delivery` of its own (stream
"in-process") that it passes to the unit of work committing its effects; that commit
writes the tracking row too. Then the watchers (live views), event by event.

An event delivered again has no second effect (its tracking row is found, or its second
commit fails on it, which is logged). A handler that fails is logged; the others go on.
Read models being applied before the other handlers run never leaves those behind: a
handler or live view sees them at least as fresh as when each event went to every
subscriber in turn."""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.infrastructure import event_store
from astratrade.infrastructure.backbone import Watcher
from astratrade.infrastructure.delivery import deliver
from astratrade.infrastructure.metrics import count_committed
from astratrade.infrastructure.projections import ProjectionFeed, apply_together, feed_of
from astratrade.infrastructure.writer import Writer
from astratrade.shared.bus import BatchHandler, MessageBus, Subscription, is_ahead
from astratrade.shared.clock import Clock
from astratrade.shared.delivery import Delivery
from astratrade.shared.messages import Envelope

logger = logging.getLogger(__name__)
# Delivered events are marked published in batches: a crash re-delivers at most this much.
MARK_INTERVAL_SECONDS = 0.2
MARK_BATCH = 1000
BATCH_EVENTS = 500  # a batch takes commits while under this many events (one at least)


class InProcessDispatcher:
    def __init__(self, bus: MessageBus, engine: AsyncEngine, writer: Writer, clock: Clock) -> None:
        self._bus = bus
        self._engine = engine
        self._writer = writer
        self._clock = clock
        self._queue: asyncio.Queue[list[Envelope]] = asyncio.Queue()  # a commit's events
        self._task: asyncio.Task[None] | None = None
        self._delivered: list[str] = []
        self._watchers: list[Watcher] = []

    def watch(self, watcher: Watcher) -> None:
        """Also hand every event, once its subscribers had it, to `watcher` (live views:
        no tracking, nothing to retry)."""
        self._watchers.append(watcher)

    def committed(self, envelopes: list[Envelope]) -> None:
        count_committed(envelopes)
        if envelopes:
            self._queue.put_nowait(list(envelopes))

    async def start(self) -> None:
        """Re-deliver what a previous run committed but never delivered, then keep going."""
        ahead = {(s.consumer, is_ahead(s.handler)) for s in self._bus.subscriptions()}
        split = {consumer for consumer, first in ahead if (consumer, not first) in ahead}
        if split:  # its events would be handled out of order
            raise ValueError(f"consumers with some handlers ahead, not all: {sorted(split)}")
        async with self._engine.connect() as conn:
            left = await event_store.unpublished(conn, limit=1_000_000)
        for start in range(0, len(left), BATCH_EVENTS):
            self._queue.put_nowait(left[start : start + BATCH_EVENTS])
        self._task = asyncio.create_task(self._run(), name="in-process-dispatcher")

    async def ready(self) -> bool:
        return self._task is not None and not self._task.done()

    async def drain(self) -> None:
        """Wait until every event committed so far is delivered and marked published."""
        await self._queue.join()
        await self._mark_published()

    async def stop(self) -> None:
        if self._task is None:
            return
        with suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._queue.join(), timeout=5)
        self._task.cancel()
        with suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        await self._mark_published()

    async def _run(self) -> None:
        while True:
            try:
                # With deliveries to mark, wait a little for more: one write marks them all.
                timeout = MARK_INTERVAL_SECONDS if self._delivered else None
                commits = [await asyncio.wait_for(self._queue.get(), timeout)]
            except TimeoutError:
                await self._mark_published()
                continue
            batch = list(commits[0])
            try:
                await self._deliver(batch, commits)  # which takes more commits into both
                self._delivered.extend(e.event_id for e in batch)
            finally:
                for _ in commits:
                    self._queue.task_done()
            if len(self._delivered) >= MARK_BATCH:
                await self._mark_published()

    def _take_queued(self, batch: list[Envelope], commits: list[list[Envelope]]) -> None:
        """Whole commits from the queue into the batch while it holds under BATCH_EVENTS."""
        while not self._queue.empty() and len(batch) < BATCH_EVENTS:
            commits.append(self._queue.get_nowait())
            batch.extend(commits[-1])

    async def _deliver(self, batch: list[Envelope], commits: list[list[Envelope]]) -> None:
        """To the handlers marked ahead of the read models, also the commits they make
        meanwhile while the batch has room (a leader's fill, then copy trading's decisions
        on it, then trading's copy orders, none of them waiting on the read models); then
        the whole batch to the projections a share at a time, then to the other
        subscribers and the watchers an event at a time, in order."""
        ahead: dict[str, list[Subscription]] = {}
        after: dict[str, list[Subscription]] = {}
        for subscription in self._bus.subscriptions():
            first = is_ahead(subscription.handler)
            (ahead if first else after).setdefault(subscription.event_type, []).append(subscription)
        handled = 0
        while True:
            self._take_queued(batch, commits)
            if handled == len(batch):
                break
            await self._handle(batch[handled:], ahead)
            handled = len(batch)
        shares: dict[ProjectionFeed, list[tuple[Subscription, Envelope]]] = {}
        for envelope in batch:
            for subscription in after.get(envelope.type, ()):
                feed = feed_of(subscription)
                if feed is not None:
                    shares.setdefault(feed, []).append((subscription, envelope))
        await self._project_together(shares)
        await self._handle(batch, after)
        for envelope in batch:
            for watcher in self._watchers:
                await watcher(envelope, None)  # no stream: no position

    async def _handle(
        self, batch: list[Envelope], subscribers: dict[str, list[Subscription]]
    ) -> None:
        """The batch to these subscribers other than projections: each batch handler its
        share at once, then the others an event at a time, in order."""
        together: dict[Subscription, list[Envelope]] = {}
        for envelope in batch:
            for subscription in subscribers.get(envelope.type, ()):
                if isinstance(subscription.handler, BatchHandler):
                    together.setdefault(subscription, []).append(envelope)
        for subscription, envelopes in together.items():
            await self._deliver_together(subscription, envelopes)
        for envelope in batch:
            for subscription in subscribers.get(envelope.type, ()):
                if feed_of(subscription) is None and subscription not in together:
                    await self._deliver_one(subscription, envelope)

    async def _project_together(
        self, shares: dict[ProjectionFeed, list[tuple[Subscription, Envelope]]]
    ) -> None:
        """Every projection's share of the batch in as few transactions as hold them; if
        one fails, projection by projection."""
        try:
            await apply_together(
                [
                    (feed, [(e, Delivery(s.consumer, e.event_id)) for s, e in share])
                    for feed, share in shares.items()
                ]
            )
        except Exception as error:
            logger.info("projections failed on a batch together (%r); one by one", error)
            for feed, share in shares.items():
                await self._project(feed, share)

    async def _project(
        self, feed: ProjectionFeed, share: list[tuple[Subscription, Envelope]]
    ) -> None:
        """The projection's share of the batch in one transaction; if it fails, event by
        event, so that only the bad event is lost to the read model (and logged)."""
        deliveries = [(e, Delivery(s.consumer, e.event_id)) for s, e in share]
        try:
            await feed.apply_all_once(deliveries)
        except Exception as error:
            logger.info(
                "%s failed on a batch of %d (%r); applying it event by event",
                feed.projection.name,
                len(share),
                error,
            )
            for subscription, envelope in share:
                await self._deliver_one(subscription, envelope)

    async def _deliver_together(self, subscription: Subscription, share: list[Envelope]) -> None:
        """A batch handler's share in one commit; if it fails, event by event, so that only
        the bad event is lost (and logged)."""
        handler = subscription.handler
        if not isinstance(handler, BatchHandler):
            raise TypeError(f"{subscription.name} takes one event at a time")
        try:
            await handler.handle_all(
                [(e, Delivery(subscription.consumer, e.event_id)) for e in share]
            )
        except Exception as error:
            logger.info(
                "%s failed on a batch of %d (%r); handling it event by event",
                subscription.name,
                len(share),
                error,
            )
            for envelope in share:
                await self._deliver_one(subscription, envelope)

    async def _deliver_one(self, subscription: Subscription, envelope: Envelope) -> None:
        """Run one subscriber; one failing is logged and does not stop the others."""
        try:
            await deliver(
                subscription, envelope, Delivery(subscription.consumer, envelope.event_id)
            )
        except IntegrityError:
            logger.info("%s had applied %s already", subscription.name, envelope.event_id)
        except Exception:
            logger.exception(
                "%s failed on %s %s", subscription.name, envelope.type, envelope.event_id
            )

    async def _mark_published(self) -> None:
        event_ids, self._delivered = self._delivered, []
        if not event_ids:
            return
        now = self._clock.now()
        try:
            await self._writer.run(lambda conn: event_store.mark_published(conn, event_ids, now))
        except Exception:
            # Delivered but not marked: they are delivered again after a restart, which
            # subscribers must tolerate (at-least-once delivery).
            logger.exception("could not mark %d outbox rows published", len(event_ids))
