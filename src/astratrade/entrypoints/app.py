"""The FastAPI application of the embedded platform."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import make_asgi_app
from sqlalchemy import text

from astratrade.bootstrap import bootstrap
from astratrade.config import REALTIME, Settings
from astratrade.copytrading.api.copies import copy_accounts
from astratrade.copytrading.api.live import LiveCopies
from astratrade.copytrading.handlers.common import Tools
from astratrade.entrypoints.realtime.candle_feed import CandleFeed
from astratrade.entrypoints.realtime.candle_reads import (
    CandleReads,
    HttpCandleReads,
    LocalCandleReads,
)
from astratrade.entrypoints.realtime.copy_feed import CopyFeed
from astratrade.entrypoints.realtime.copy_reads import CopyReads, HttpCopyReads
from astratrade.entrypoints.realtime.feed_reads import FeedReads, HttpFeedReads
from astratrade.entrypoints.realtime.feeds import Feeds, source_of
from astratrade.entrypoints.realtime.hub import Hub
from astratrade.entrypoints.realtime.price_tail import PriceTail
from astratrade.entrypoints.realtime.socket_sessions import SocketSessions
from astratrade.entrypoints.realtime.trading_reads import (
    HttpTradingReads,
    LocalTradingReads,
    TradingReads,
)
from astratrade.entrypoints.realtime.views import HttpLiveViews, LiveViews, SqlLiveViews
from astratrade.entrypoints.realtime.ws_api import router as ws_router
from astratrade.entrypoints.security import harden
from astratrade.entrypoints.services import HOSTED, HOSTED_INTERNAL
from astratrade.entrypoints.web_client import mount_web_client
from astratrade.infrastructure import streams
from astratrade.infrastructure.collector import settle_after_start
from astratrade.infrastructure.migrations import at_head
from astratrade.infrastructure.rate_limits import RateLimits
from astratrade.infrastructure.tracing import FASTAPI_TELEMETRY_OFF, trace
from astratrade.infrastructure.web.http import install_error_handlers
from astratrade.infrastructure.web.request_ids import RequestIds
from astratrade.modules import provided
from astratrade.platform import Platform
from astratrade.shared.readiness import ReadinessCheck
from astratrade.social.views.live import LiveFeed
from astratrade.trading.adapters.price_stream import prices_stream
from astratrade.trading.engine import TradingEngine
from astratrade.users.adapters.sessions import SessionGuard

DESCRIPTION = """Practise perpetual futures with virtual dollars: markets, accounts, orders and
positions with cross margin, fees, funding and liquidation. Amounts are decimal strings;
authenticate with `Authorization: Bearer <access_token>` from `/api/v1/auth/login`."""


@dataclass(frozen=True, slots=True)
class Live:
    """The realtime side of a process: the hub, what feeds it, and the sessions' check."""

    hub: Hub
    feeds: Feeds
    local_views: SqlLiveViews
    socket_sessions: SocketSessions
    serves_sockets: bool  # embedded, the realtime service, or trading's replicas without it
    prices: PriceTail | None = None  # the realtime service follows the prices' stream


def create_app(
    platform: Platform | None = None, settings: Settings | None = None, *, metrics: bool = True
) -> FastAPI:
    """The platform's HTTP and WebSocket app; /metrics on it unless `metrics` is False (then
    it is served on a health port of its own)."""
    platform = platform or bootstrap(settings)
    live = _live(platform)
    tracer: TracerProvider | None = None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await platform.start()
        settle_after_start()  # the garbage collector set for a long-running server
        # Where the hub serves sockets: each closes once its session ends, or its client
        # has been silent too long.
        checks = (
            [
                asyncio.create_task(live.socket_sessions.run()),
                asyncio.create_task(live.hub.close_silent_ones()),
            ]
            if live.serves_sockets
            else []
        )
        if live.prices is not None:
            checks.append(asyncio.create_task(live.prices.run()))
        try:
            yield
        finally:
            for check in checks:
                check.cancel()
                with suppress(asyncio.CancelledError):
                    await check
            live.hub.close_all()  # clients are told to reconnect
            if live.prices is not None:
                await live.prices.close()
            await platform.stop()
            if tracer is not None:
                tracer.shutdown()  # the last spans are sent

    app = FastAPI(
        title="AstraTrade",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        telemetry=FASTAPI_TELEMETRY_OFF,
    )
    _keep_state(app, platform, live)
    install_error_handlers(app)
    harden(app, platform.settings)
    app.add_middleware(RequestIds)
    tracer = trace(app, platform.settings, platform.deployment.process_name)
    _include_routes(app, platform)
    _add_operations(app, platform, metrics)
    return app


def _live(platform: Platform) -> Live:
    """The hub and its feeds. Each context's reads come from this process where the context
    runs here, else from its service (the realtime service asks every one)."""
    here, settings = platform.deployment, platform.settings
    hub = Hub(source_of)
    local_views = SqlLiveViews(platform.read_db, platform.clock)
    # Outside the gamification service, it answers the live channels' reads.
    remote: LiveViews | None = here.client_of("gamification", HttpLiveViews)
    engine = platform.port(TradingEngine)
    serves_sockets = here.serves_sockets
    remote_reads = serves_sockets and not here.serves("trading")
    remote_trading = here.client_of("trading", _trading_reads(settings)) if remote_reads else None
    trading: TradingReads = remote_trading or LocalTradingReads(engine.queries)
    social: FeedReads | None = provided(platform.modules, LiveFeed)
    if not here.serves("social"):
        social = here.client_of("social", HttpFeedReads) if serves_sockets else None
    feeds = Feeds(
        hub,
        engine.venue.quotes,
        trading,
        remote or local_views,
        social,
        _copies(platform, hub),
        _candles(platform, hub),
    )
    prices = None
    if serves_sockets:
        platform.backbone.watch(feeds.event)
        if here.serves("trading"):  # prices once the engine has reacted to them
            engine.quote_listeners.append(feeds.quotes)
        elif settings.redis_url is not None:  # the realtime service: the shared stream
            redis = streams.connect(settings.redis_url)
            prices = PriceTail(redis, prices_stream(settings.redis_prefix), feeds.quotes)
    sessions = SocketSessions(hub, platform.port(SessionGuard), platform.clock)
    return Live(hub, feeds, local_views, sessions, serves_sockets, prices)


def _candles(platform: Platform, hub: Hub) -> CandleFeed | None:
    """The `candles:` channels, their stored bars read of analytics in this process or of
    its service (none when the deployment runs no analytics: the hub's own bars only)."""
    here = platform.deployment
    if not here.serves_sockets:
        return None
    reads: CandleReads | None = LocalCandleReads(platform.read_db)
    if not here.serves("analytics"):
        has_service = "analytics" in here.settings.services_with_urls()
        reads = here.client_of("analytics", HttpCandleReads) if has_service else None
    return CandleFeed(hub, reads, platform.clock.now)


def _copies(platform: Platform, hub: Hub) -> CopyFeed | None:
    """The `copy:<id>` channels: copy trading's reads in this process or from its service;
    the copy accounts' figures from trading (in this process, or any of its replicas)."""
    here = platform.deployment
    tools = provided(platform.modules, Tools)
    if not here.serves_sockets or tools is None:
        return None
    reads: CopyReads | None = provided(platform.modules, LiveCopies)
    if not here.serves("copytrading"):
        if "copytrading" not in here.settings.services_with_urls():
            return None  # a deployment without copy trading has no copies to watch
        reads = here.client_of("copytrading", HttpCopyReads)
    if reads is None:
        return None
    accounts, markets = tools.accounts, sorted(tools.markets)

    async def read(account_ids: list[str]) -> dict[str, dict[str, Any]]:
        found = await copy_accounts(accounts, markets, account_ids)
        return {account_id: a.model_dump(mode="json") for account_id, a in found.items()}

    return CopyFeed(hub, reads, read)


def _trading_reads(settings: Settings) -> Callable[[str, str, float], HttpTradingReads]:
    """The realtime service's client of trading: to each of its replicas, by shard."""

    def client(_url: str, service_key: str, timeout: float) -> HttpTradingReads:
        urls = settings.service_urls_of("trading")
        return HttpTradingReads(urls, service_key, timeout, settings.trading_shards)

    return client


def _keep_state(app: FastAPI, platform: Platform, live: Live) -> None:
    """What routes read of `app.state`: the infrastructure, what each module provides
    (`trading`, `sessions`, `boards`, ...), and the live side."""
    app.state.platform = platform
    infra = platform.infra
    app.state.settings, app.state.bus, app.state.clock = infra.settings, infra.bus, infra.clock
    app.state.tokens = infra.tokens
    app.state.db = infra.read_db  # routes only read; commands write through the bus
    for module in platform.modules:
        for name, value in module.provides.items():
            setattr(app.state, name, value)
    app.state.hub, app.state.feeds, app.state.live_views = live.hub, live.feeds, live.local_views
    app.state.socket_sessions = live.socket_sessions
    app.state.rate_limits = RateLimits.from_settings(platform.settings)


# Whose routes come first. FastAPI tries a request's path against the routes in order
# (~1.3 us a route, twice: an included router matches again), and most requests are
# trading's (orders, positions, accounts). No two contexts' routes answer the same method
# and path (tests/unit/test_composition.py), so the order changes nothing else.
FIRST_ROUTES = "trading"


def _include_routes(app: FastAPI, platform: Platform) -> None:
    here = platform.deployment
    if here.service == REALTIME:
        app.include_router(ws_router)
    for module in sorted(platform.running, key=lambda m: m.name != FIRST_ROUTES):
        for router in (*module.routers, *HOSTED.get(module.name, ())):
            if router is not ws_router or here.serves_sockets:
                app.include_router(router)
        if here.serves_internal_routes:
            for router in (*module.internal_routers, *HOSTED_INTERNAL.get(module.name, ())):
                app.include_router(router)
    if here.serves_web_client:
        mount_web_client(app, platform.settings.web_dir)  # `/` and its files only


def _add_operations(app: FastAPI, platform: Platform, metrics: bool) -> None:
    if metrics:  # Prometheus text format: the event backbone's counters, lag, batch latency
        app.mount("/metrics", make_asgi_app())

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"])
    async def readyz() -> JSONResponse:
        checks = {"db": "ok", "bus": "ok", "migrations": "ok"}
        if not platform.deployment.contexts:  # the realtime service keeps no data
            checks = {"bus": "ok"}
        try:
            if "db" in checks:
                async with platform.db.connect() as conn:
                    await conn.execute(text("SELECT 1"))
                if not await at_head(platform.db):
                    checks["migrations"] = "error: not at head (run astratrade migrate)"
        except Exception as error:  # readiness reports, it does not raise
            checks["db"] = f"error: {type(error).__name__}"
        if not await platform.backbone.ready():
            checks["bus"] = "error: not delivering events"
        for module in platform.running:
            for value in module.provides.values():
                if isinstance(value, ReadinessCheck):
                    checks[value.name] = value.problem() or "ok"
        ready = all(check == "ok" for check in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": checks},
            status_code=200 if ready else 503,
        )
