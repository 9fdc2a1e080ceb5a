"""The FastAPI application of the embedded platform."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import make_asgi_app
from sqlalchemy import text

from astratrade.bootstrap import bootstrap
from astratrade.config import Settings
from astratrade.entrypoints.realtime.feeds import Feeds
from astratrade.entrypoints.realtime.hub import Hub
from astratrade.entrypoints.realtime.socket_sessions import SocketSessions
from astratrade.entrypoints.realtime.views import HttpLiveViews, LiveViews, SqlLiveViews
from astratrade.entrypoints.security import harden
from astratrade.entrypoints.services import HOSTED, HOSTED_INTERNAL
from astratrade.entrypoints.web_client import mount_web_client
from astratrade.infrastructure.migrations import at_head
from astratrade.infrastructure.rate_limits import RateLimits
from astratrade.infrastructure.tracing import FASTAPI_TELEMETRY_OFF, trace
from astratrade.infrastructure.web.http import install_error_handlers
from astratrade.infrastructure.web.request_ids import RequestIds
from astratrade.modules import provided
from astratrade.platform import Platform
from astratrade.social.views.live import LiveFeed
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
    serves_sockets: bool  # the hub is fed where trading's engine runs


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
        try:
            yield
        finally:
            for check in checks:
                check.cancel()
                with suppress(asyncio.CancelledError):
                    await check
            live.hub.close_all()  # clients are told to reconnect
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
    hub = Hub()
    local_views = SqlLiveViews(platform.read_db, platform.clock)
    # Outside the gamification service, it answers the live channels' reads.
    remote: LiveViews | None = platform.deployment.client_of("gamification", HttpLiveViews)
    trading = platform.port(TradingEngine)
    # The `feed` channel where social runs in this process (embedded).
    social = provided(platform.modules, LiveFeed) if platform.deployment.serves("social") else None
    feeds = Feeds(hub, trading, remote or local_views, social)
    serves_sockets = platform.deployment.serves_sockets
    if serves_sockets:
        trading.quote_listeners.append(feeds.quotes)
        platform.backbone.watch(feeds.event)
    sessions = SocketSessions(hub, platform.port(SessionGuard), platform.clock)
    return Live(hub, feeds, local_views, sessions, serves_sockets)


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
    for module in sorted(platform.running, key=lambda m: m.name != FIRST_ROUTES):
        for router in (*module.routers, *HOSTED.get(module.name, ())):
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
        try:
            async with platform.db.connect() as conn:
                await conn.execute(text("SELECT 1"))
            if not await at_head(platform.db):
                checks["migrations"] = "error: not at head (run astratrade migrate)"
        except Exception as error:  # readiness reports, it does not raise
            checks["db"] = f"error: {type(error).__name__}"
        if not await platform.backbone.ready():
            checks["bus"] = "error: not delivering events"
        ready = all(check == "ok" for check in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": checks},
            status_code=200 if ready else 503,
        )
