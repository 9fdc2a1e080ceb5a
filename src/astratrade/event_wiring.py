"""How events travel, from settings: the in-process bus (embedded, no Redis), or the outbox
relay to Redis Streams with a consumer group per context."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.config import CONTEXTS
from astratrade.deployment import Deployment
from astratrade.infrastructure import streams
from astratrade.infrastructure.backbone import EventBackbone
from astratrade.infrastructure.consumer import ConsumerSettings, StreamConsumer
from astratrade.infrastructure.in_process_bus import InProcessDispatcher
from astratrade.infrastructure.reconnect import Reconnect
from astratrade.infrastructure.redis_backbone import RedisBackbone
from astratrade.infrastructure.relay import IN_PROCESS_POLL_SECONDS, OutboxRelay
from astratrade.infrastructure.writer import Writer
from astratrade.modules import Gate
from astratrade.shared.bus import EventPublisher, MessageBus
from astratrade.shared.clock import Clock


def event_backbone(
    here: Deployment,
    bus: MessageBus,
    db: AsyncEngine,
    read_db: AsyncEngine,
    writer: Writer,
    clock: Clock,
) -> tuple[EventPublisher, Callable[[Mapping[str, Gate]], EventBackbone]]:
    """The publisher units of work need now, and the backbone, built once every
    subscription is in place (given the gates of the consumer groups that have one): the
    in-process bus, or the outbox relay and Redis consumers (which of them run in this
    process follows the deployment)."""
    settings = here.settings
    if settings.redis_url is None:
        dispatcher = InProcessDispatcher(bus, read_db, writer, clock)
        return dispatcher, lambda _gates: dispatcher  # one process writes every shard
    redis = streams.connect(settings.redis_url)
    external = settings.event_workers == "external"
    relay = OutboxRelay(
        redis,
        read_db,
        writer,
        clock,
        prefix=settings.redis_prefix,
        replay_window_seconds=settings.relay_replay_window_seconds,
        idle_poll_seconds=settings.relay_poll_ms / 1000 if external else IN_PROCESS_POLL_SECONDS,
    )
    return relay, lambda gates: redis_backbone(here, relay, bus, db, read_db, writer, clock, gates)


def redis_backbone(
    here: Deployment,
    relay: OutboxRelay,
    bus: MessageBus,
    db: AsyncEngine,
    read_db: AsyncEngine,
    writer: Writer,
    clock: Clock,
    gates: Mapping[str, Gate] | None = None,
) -> RedisBackbone:
    settings = here.settings
    consumer_settings = ConsumerSettings(
        max_attempts=settings.consumer_max_attempts,
        max_deliveries=settings.consumer_max_deliveries,
        lease_ms=settings.consumer_lease_ms,
    )
    reconnect = Reconnect("consumers")  # they share Redis: one outage, one log line an attempt
    consumers = [
        StreamConsumer(
            relay.redis,
            bus,
            db,
            read_db,
            writer,
            clock,
            context=context,
            name=settings.consumer_name,
            prefix=settings.redis_prefix,
            settings=consumer_settings,
            reconnect=reconnect,
            gate=(gates or {}).get(context),
        )
        for context in sorted({s.consumer for s in bus.subscriptions()})
    ]
    running = set(here.consumers_here(c.context for c in consumers))
    here_consumers = [c for c in consumers if c.context in running]
    # The watchers (the live channels) tail every context's stream, those with subscribers
    # in other contexts and those without (social's posts reach only the `feed` channel).
    publishers = sorted({s.source for s in bus.subscriptions()} | set(CONTEXTS))
    return RedisBackbone(
        relay.redis,
        relay,
        here_consumers,
        read_db,
        run_relay=here.runs_relay,
        all_consumers=consumers,
        event_streams=[
            streams.events_stream(settings.redis_prefix, source) for source in publishers
        ],
    )
