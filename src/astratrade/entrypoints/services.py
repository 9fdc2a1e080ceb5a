"""The routes each context's service answers, for the gateway's table and the app.

Embedded, one process serves every context; in distributed mode `astratrade serve --service
X` serves X's routes, runs X's consumers and projections (consumer names start with the
context: "trading", "gamification.xp_boards", "financial.ledger") and X's timed jobs, and
the gateway routes each path to the service whose router declares it."""

from __future__ import annotations

from importlib import import_module

from fastapi import APIRouter

from astratrade.config import CONTEXTS, context_of
from astratrade.entrypoints import admin_api
from astratrade.entrypoints.realtime import internal as live_internal
from astratrade.entrypoints.realtime.ws_api import router as ws_router

# Routes of the entrypoints' own that one context's service serves: the WebSocket hub lives
# with trading (prices and account states come from its engine) unless the deployment runs
# the realtime service (then it serves it alone), the platform-wide admin routes with
# financial (the reconciliation proves its ledger).
HOSTED: dict[str, tuple[APIRouter, ...]] = {
    "trading": (ws_router,),
    "financial": (admin_api.router,),
}

# Internal routes of the entrypoints' own that one context's service serves: the live
# channels' reads, which a hub elsewhere (the realtime service, trading's replicas) asks of
# the context that owns them.
HOSTED_INTERNAL: dict[str, tuple[APIRouter, ...]] = {
    "gamification": (live_internal.router,),
    "trading": (live_internal.trading_router,),
    "social": (live_internal.social_router,),
    "copytrading": (live_internal.copytrading_router,),
}

# Every public route by the context that answers it: its module's routers (each context's
# `wiring.ROUTERS`) and those it hosts.
ROUTERS: dict[str, tuple[APIRouter, ...]] = {
    context: (*import_module(f"astratrade.{context}.wiring").ROUTERS, *HOSTED.get(context, ()))
    for context in CONTEXTS
}


__all__ = ["CONTEXTS", "HOSTED", "HOSTED_INTERNAL", "ROUTERS", "context_of"]
