"""The FastAPI application of the embedded platform."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from prometheus_client import make_asgi_app
from sqlalchemy import text

from astratrade.bootstrap import bootstrap
from astratrade.config import Settings
from astratrade.entrypoints import internal_api
from astratrade.entrypoints.http import install_error_handlers
from astratrade.entrypoints.realtime.feeds import Feeds
from astratrade.entrypoints.realtime.hub import Hub
from astratrade.entrypoints.realtime.socket_sessions import SocketSessions
from astratrade.entrypoints.realtime.views import HttpLiveViews, LiveViews, SqlLiveViews
from astratrade.entrypoints.request_ids import RequestIds
from astratrade.entrypoints.security import harden
from astratrade.entrypoints.services import ROUTERS
from astratrade.entrypoints.web_client import mount_web_client
from astratrade.infrastructure.migrations import at_head
from astratrade.infrastructure.rate_limits import RateLimits
from astratrade.infrastructure.tracing import trace
from astratrade.platform import Platform

DESCRIPTION = """Practise perpetual futures with virtual dollars: markets, accounts, orders and
positions with cross margin, fees, funding and liquidation. Amounts are decimal strings;
authenticate with `Authorization: Bearer <access_token>` from `/api/v1/auth/login`."""


def create_app(
    platform: Platform | None = None, settings: Settings | None = None, *, metrics: bool = True
) -> FastAPI:
    """The platform's HTTP and WebSocket app; /metrics on it unless `metrics` is False (then
    it is served on a health port of its own)."""
    platform = platform or bootstrap(settings)

    hub = Hub()
    local_views = SqlLiveViews(platform.read_db, platform.clock)
    views: LiveViews = local_views
    if "gamification" not in platform.contexts:  # the gamification service answers
        remote = HttpLiveViews(*platform.settings.service_call("gamification"))
        platform.closers += (remote.close,)
        views = remote
    feeds = Feeds(hub, platform.trading, views)
    socket_sessions = SocketSessions(hub, platform.sessions, platform.clock)
    serves_sockets = "trading" in platform.contexts  # as ROUTERS has it
    if serves_sockets:  # the hub is fed where the engine runs
        platform.trading.quote_listeners.append(feeds.quotes)
        platform.dispatcher.watch(feeds.event)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await platform.start()
        # Where the hub serves sockets: each closes once its session ends.
        checks = asyncio.create_task(socket_sessions.run()) if serves_sockets else None
        try:
            yield
        finally:
            if checks is not None:
                checks.cancel()
                with suppress(asyncio.CancelledError):
                    await checks
            hub.close_all()  # clients are told to reconnect
            await platform.stop()
            if tracer is not None:
                tracer.shutdown()  # the last spans are sent

    app = FastAPI(title="AstraTrade", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.platform = platform
    app.state.settings = platform.settings
    app.state.bus = platform.bus
    app.state.db = platform.read_db  # routes only read; commands write through the bus
    app.state.clock = platform.clock
    app.state.tokens = platform.tokens
    app.state.trading = platform.trading
    app.state.sessions = platform.sessions
    app.state.hub, app.state.feeds, app.state.live_views = hub, feeds, local_views
    app.state.socket_sessions = socket_sessions
    app.state.rate_limits = RateLimits.from_settings(platform.settings)
    install_error_handlers(app)
    harden(app, platform.settings)
    app.add_middleware(RequestIds)
    tracer = trace(app, platform.settings, platform.settings.service or "embedded")
    for context in platform.contexts:
        for router in ROUTERS[context]:
            app.include_router(router)
    if platform.settings.service == "trading":
        app.include_router(internal_api.router)
    if platform.settings.service == "users":  # the other services' session checks
        app.include_router(internal_api.sessions_router)
    if platform.settings.service == "gamification":  # the live channels' reads
        app.include_router(internal_api.live_router)
    if platform.settings.service is None:
        mount_web_client(app, platform.settings.web_dir)  # `/` and its files only

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
        if not await platform.dispatcher.ready():
            checks["bus"] = "error: not delivering events"
        ready = all(check == "ok" for check in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": checks},
            status_code=200 if ready else 503,
        )

    return app
