"""Trading's module: its single writer (the engine) and the commands it runs, its reactions
to other contexts' events, its read models, funding as time moves, and its price feed."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from sqlalchemy import Connection

from astratrade.config import Settings
from astratrade.infrastructure import streams
from astratrade.infrastructure.shard_leases import leases_for
from astratrade.modules import Gate, Infrastructure, Loop, Module
from astratrade.shared.clock import Clock
from astratrade.shared.delivery import Delivery
from astratrade.shared.ids import IdFactory
from astratrade.trading.adapters.cache import AccountCache
from astratrade.trading.adapters.feeds.replay import ReplayFeed
from astratrade.trading.adapters.feeds.staleness import FeedHealth
from astratrade.trading.adapters.feeds.synthetic import SyntheticFeed
from astratrade.trading.adapters.group_commit import GroupCommit
from astratrade.trading.adapters.held_shards import HeldShards
from astratrade.trading.adapters.price_stream import SharedPrices, feed_while, prices_stream
from astratrade.trading.adapters.read_models import client_ids_written
from astratrade.trading.adapters.repository import SqlTradingUnitOfWork
from astratrade.trading.api import admin, internal, venue
from astratrade.trading.api import router as trading_router
from astratrade.trading.command_wiring import trading_commands
from astratrade.trading.domain.markets import DEFAULT_MARKETS
from astratrade.trading.domain.prices import Quote
from astratrade.trading.domain.rules import TradingRules
from astratrade.trading.domain.shards import Shards
from astratrade.trading.domain.venue import Venue
from astratrade.trading.engine import TradingEngine
from astratrade.trading.live_wiring import account_streams_of, live_trading, venue_linking
from astratrade.trading.ports import PriceFeed
from astratrade.trading.projections import PROJECTIONS
from astratrade.trading.queries import TradingQueries
from astratrade.trading.subscriptions import shard_consumer, subscriptions

ROUTERS = (trading_router, admin.router, venue.router)
logger = logging.getLogger(__name__)


def wire(
    infra: Infrastructure, *, rules: TradingRules | None = None, feed: PriceFeed | None = None
) -> Module:
    """`feed` replaces the one the settings name (tests push their own quotes)."""
    shards = Shards(infra.settings.trading_shards)
    venue = _venue(rules or TradingRules(), infra.clock, infra.ids, shards)
    engine = _engine(infra, venue)
    prices = _shared_prices(infra.settings, engine)
    if feed is None:
        feed = _feed_from(infra.settings, venue, infra.clock)
    health = getattr(feed, "health", None)  # a live feed's: stale markets, readiness
    if isinstance(health, FeedHealth):
        health.publish = prices.stale  # the other replicas pause liquidations too
    linking = venue_linking(infra)
    live = live_trading(infra.settings, linking)
    commands = trading_commands(engine, infra.settings, infra.read_db, live)
    account_streams = account_streams_of(infra.settings, linking, engine, commands)

    async def execute(command: Any, delivery: Delivery) -> Any:
        return await commands[type(command)](command, delivery)

    return Module(
        "trading",
        routers=ROUTERS,
        internal_routers=(internal.router,),
        commands=commands,
        subscriptions=subscriptions(execute, shards, partial(client_ids_written, infra.read_db)),
        gates=consumer_gates(engine.held, shards),
        projections=PROJECTIONS,
        on_time=(engine.on_time,),
        start=(engine.start,),
        closers=(engine.stop, prices.close),
        background=_price_loops(prices, feed, engine) + account_streams,
        provides={
            "trading": engine,
            "prices": prices,
            "trading_queries": engine.queries,
            "shard_leases": engine.leases,
            **({"price_feed_health": health} if isinstance(health, FeedHealth) else {}),
            **linking,
        },
    )


def consumer_gates(held: HeldShards, shards: Shards) -> dict[str, Gate]:
    """Where each consumer group works: a shard's events in its holder; the read models
    spread over the holders of shards 1, 2, … (shard 0's holder also runs the feed), so
    that with several replicas no one does every shard's read-model work."""
    gates = {shard_consumer(k): held.gate(k) for k in shards.all()}
    for n, projection in enumerate(PROJECTIONS, start=1):
        gates[projection.name] = held.gate(n % shards.count)
    return gates


def _venue(rules: TradingRules, clock: Clock, ids: IdFactory, shards: Shards) -> Venue:
    now = clock.now()
    return Venue(
        markets={m.id: m for m in DEFAULT_MARKETS},
        quotes={m.id: Quote(m.id, m.start_price, m.start_price, now) for m in DEFAULT_MARKETS},
        rules=rules,
        ids=ids,
        shards=shards,
    )


def _engine(infra: Infrastructure, venue: Venue) -> TradingEngine:
    cache = AccountCache()
    settings, rules = infra.settings, venue.rules
    held = HeldShards(venue.shards)

    def fence(conn: Connection, shard: int, token: int) -> None:
        leases.fence(conn, shard, token)

    group = GroupCommit(infra.writer, infra.publisher, infra.clock, cache, fence)
    engine = TradingEngine(
        uow_factory=lambda delivery: SqlTradingUnitOfWork(
            infra.read_db,
            group,
            held,
            infra.clock,
            infra.ids,
            cache,
            rules.default_leverage,
            settings.default_unlocked_leverage,
            delivery,
        ),
        venue=venue,
        clock=infra.clock,
        insurance_seed=settings.insurance_fund_seed,
        queries=TradingQueries(
            infra.read_db,
            cache,
            venue,
            infra.clock,
            rules.default_leverage,
            settings.default_unlocked_leverage,
        ),
        writes=group,
        held=held,
        cache=cache,
    )
    # On PostgreSQL the leases share the platform's pool: the writer holds one connection
    # at a time, so renewals never wait for one.
    leases = leases_for(
        infra.db,
        scope="trading",
        shards=venue.shards.count,
        replica=settings.consumer_name,
        ttl_seconds=settings.trading_shard_lease_seconds,
        on_acquired=engine.shard_acquired,
        on_lost=engine.shard_lost,
        address=_advertised(settings),
    )
    engine.leases = leases
    return engine


def _advertised(settings: Settings) -> str | None:
    """Where the gateway and the other services reach this replica, if it was told."""
    address = settings.trading_advertise_url
    if address is None and settings.service == "trading":
        logger.warning(
            "this trading replica is not routable: set ASTRATRADE_TRADING_ADVERTISE_URL "
            "to the URL the gateway reaches it at (requests for its shards fall back to the "
            "first trading URL of ASTRATRADE_SERVICE_URLS)"
        )
    return address.rstrip("/") if address else None


def _shared_prices(settings: Settings, engine: TradingEngine) -> SharedPrices:
    """The prices this process applies: a trading replica shares them with the others
    over Redis (adapters/price_stream.py); embedded, it is the only one."""
    redis = None
    if settings.service == "trading" and settings.redis_url is not None:
        redis = streams.connect(settings.redis_url)
    venue = engine.venue
    return SharedPrices(
        engine.on_quotes,
        engine.clock,
        engine.on_time,
        redis=redis,
        key=prices_stream(settings.redis_prefix),
        origin=settings.consumer_name,
        stale_changed=lambda stale: setattr(venue, "stale_markets", stale),
    )


def _price_loops(
    prices: SharedPrices, feed: PriceFeed | None, engine: TradingEngine
) -> tuple[Loop, ...]:
    """Following the other replicas' prices; the feed, where shard 0 is held (every
    shard is, embedded)."""
    loops: list[Loop] = [prices.follow] if prices.shared else []
    if feed is not None:
        resume = (
            (lambda: feed.resume_from(engine.venue.quotes))
            if isinstance(feed, SyntheticFeed)
            else (lambda: None)
        )
        holding_first = engine.held.gate(0)
        loops.append(lambda: feed_while(holding_first, feed, prices.apply, resume))
    return tuple(loops)


def _feed_from(settings: Settings, venue: Venue, clock: Clock) -> PriceFeed | None:
    markets = list(venue.markets.values())
    if settings.price_feed == "synthetic":
        return SyntheticFeed(
            markets,
            seed=settings.feed_seed,
            interval_seconds=settings.feed_interval_seconds,
            clock=clock,
        )
    if settings.price_feed == "replay" and settings.replay_file is not None:
        return ReplayFeed(settings.replay_file, markets, speed=settings.replay_speed)
    if settings.price_feed == "extended":
        # Imported here: the SDK's models and aiohttp cost a third of a second at start,
        # for processes that do not run this feed too.
        from astratrade.trading.adapters.feeds.extended import ExtendedFeed

        health = FeedHealth("extended")
        health.listeners.append(lambda stale: setattr(venue, "stale_markets", stale))
        return ExtendedFeed(
            markets,
            names=settings.extended_markets,
            stream_url=settings.extended_stream_url,
            api_url=settings.extended_api_url,
            clock=clock,
            health=health,
            stale_after_seconds=settings.price_stale_seconds,
        )
    return None  # manual: prices arrive through the admin API
