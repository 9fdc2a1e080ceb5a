"""The gateway: `astratrade serve --gateway`. Every request under /api goes to the service
whose router declares its path, at the URL settings give (Kubernetes service names by
default); bearer tokens are verified here first (a bad one never reaches a service), each
client IP is rate limited, the request id travels on as the events' correlation id, and
`WS /api/v1/ws` is relayed to a realtime replica (or, without the realtime service, to
the trading service's hub). Trading's requests (and sockets)
go to the replica writing the trader's shard (shard_routing.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, WebSocket
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import make_asgi_app

from astratrade.config import Settings
from astratrade.entrypoints.gateway.forward import client_ip, forward
from astratrade.entrypoints.gateway.openapi import merged
from astratrade.entrypoints.gateway.realtime_replicas import RealtimeReplicas
from astratrade.entrypoints.gateway.routing import Router
from astratrade.entrypoints.gateway.shard_routing import forward_by_shard
from astratrade.entrypoints.gateway.upstreams import Unavailable, Upstreams
from astratrade.entrypoints.gateway.ws_relay import Relays, by_shard, over_realtime, relay
from astratrade.entrypoints.security import harden
from astratrade.infrastructure.rate_limits import RateLimits
from astratrade.infrastructure.shard_map import Routes, routes_to
from astratrade.infrastructure.tokens import TokenCodec
from astratrade.infrastructure.tracing import FASTAPI_TELEMETRY_OFF, trace
from astratrade.infrastructure.web.http import error_response, install_error_handlers
from astratrade.infrastructure.web.request_ids import RequestIds
from astratrade.shared.clock import SystemClock

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
DESCRIPTION = "AstraTrade's public API, served by its context services behind this gateway."


def create_gateway(settings: Settings, *, metrics: bool = True) -> FastAPI:
    """The gateway app; /metrics on it unless `metrics` is False (a health port serves it)."""
    upstreams = Upstreams(settings)
    relays = Relays()
    tracer: TracerProvider | None = None
    trading = routes_to(
        settings.service_urls_of("trading"),
        settings.service_key,
        settings.gateway_timeout_seconds,
        shards=settings.trading_shards,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await trading.start()  # the shard map, kept fresh in the background
        try:
            yield
        finally:
            await relays.close_all()  # clients are told to reconnect
            await trading.close()
            await upstreams.close()
            if tracer is not None:
                tracer.shutdown()  # the last spans are sent

    app = FastAPI(
        title="AstraTrade gateway",
        version="0.1.0",
        lifespan=lifespan,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        telemetry=FASTAPI_TELEMETRY_OFF,
    )
    install_error_handlers(app)
    harden(app, settings)
    app.add_middleware(RequestIds)
    tracer = trace(app, settings, "gateway")
    if metrics:
        app.mount("/metrics", make_asgi_app())
    _add_operations(app, settings, upstreams)
    _add_routing(app, settings, upstreams, relays, trading)
    return app


def _add_operations(app: FastAPI, settings: Settings, upstreams: Upstreams) -> None:
    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz() -> dict[str, Any]:
        """Ready to route: a service that is down answers 503 for its own paths only."""
        services = {c: settings.service_url(c) for c in settings.services_with_urls()}
        if settings.realtime_urls():
            services["realtime"] = "|".join(settings.realtime_urls())
        return {"status": "ready", "services": services}

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi() -> JSONResponse:
        return JSONResponse(await merged(upstreams, "AstraTrade", "0.1.0", DESCRIPTION))

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="AstraTrade API")


def _add_routing(
    app: FastAPI, settings: Settings, upstreams: Upstreams, relays: Relays, trading: Routes
) -> None:
    router = Router()
    tokens = TokenCodec(settings.signing_secret, settings.jwt_issuer, SystemClock())
    limits = RateLimits.from_settings(settings)

    # The sockets go to the realtime service where the deployment runs one, else to the
    # trading replica writing the trader's shard.
    realtime_urls = settings.realtime_urls()
    replicas = RealtimeReplicas(realtime_urls) if realtime_urls else None
    candidates = over_realtime(replicas) if replicas is not None else by_shard(trading)

    @app.websocket("/api/v1/ws")
    async def live(websocket: WebSocket) -> None:
        await relay(websocket, candidates, tokens, settings.cors_origins, relays, replicas)

    @app.api_route("/api/{path:path}", methods=METHODS, include_in_schema=False)
    async def api(request: Request) -> Response:
        context = router.context_for(request.url.path, request.method)
        if context is None:
            return error_response(404, "not_found", "no such route")
        await limits.hit("requests", ip=client_ip(request))
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        user_id = None
        if scheme.lower() == "bearer" and token:
            # 401 here; sessions are checked by the service
            user_id = tokens.verify(token, "access").user_id
        try:
            if context == "trading":  # to the replica writing the trader's shard
                return await forward_by_shard(request, user_id, trading, upstreams)
            return await forward(request, context, upstreams)
        except Unavailable as down:
            return error_response(
                down.status, "service_unavailable", str(down), service=down.context
            )

    # Public documents a context declares at the root, where outside verifiers look for
    # them (badges' JWK set at /.well-known/jwks.json): routed like /api, never signed in.
    @app.get("/.well-known/{path:path}", include_in_schema=False)
    async def well_known(request: Request) -> Response:
        context = router.context_for(request.url.path, request.method)
        if context is None:
            return error_response(404, "not_found", "no such route")
        await limits.hit("requests", ip=client_ip(request))
        try:
            return await forward(request, context, upstreams)
        except Unavailable as down:
            return error_response(
                down.status, "service_unavailable", str(down), service=down.context
            )
