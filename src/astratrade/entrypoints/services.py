"""The routes each context's service answers, for the gateway's table and the app.

Embedded, one process serves every context; in distributed mode `astratrade serve --service
X` serves X's routes, runs X's consumers and projections (consumer names start with the
context: "trading", "gamification.xp_boards", "financial.ledger") and X's timed jobs, and
the gateway routes each path to the service whose router declares it."""

from __future__ import annotations

from fastapi import APIRouter

from astratrade.config import CONTEXTS, context_of
from astratrade.entrypoints import admin_api
from astratrade.entrypoints.realtime import internal as live_internal
from astratrade.entrypoints.realtime.ws_api import router as ws_router
from astratrade.financial import wiring as financial
from astratrade.gamification import wiring as gamification
from astratrade.trading import wiring as trading
from astratrade.users import wiring as users

# Routes of the entrypoints' own that one context's service serves: the WebSocket hub lives
# with trading (prices and account states come from its engine), the platform-wide admin
# routes with financial (the reconciliation proves its ledger).
HOSTED: dict[str, tuple[APIRouter, ...]] = {
    "trading": (ws_router,),
    "financial": (admin_api.router,),
}

# Internal routes of the entrypoints' own that one context's service serves: the live
# channels' reads, which the hub (with trading) asks of the gamification service.
HOSTED_INTERNAL: dict[str, tuple[APIRouter, ...]] = {
    "gamification": (live_internal.router,),
}

# Every public route by the context that answers it: its module's routers and those it hosts.
ROUTERS: dict[str, tuple[APIRouter, ...]] = {
    context: (*public, *HOSTED.get(context, ()))
    for context, public in (
        ("users", users.ROUTERS),
        ("trading", trading.ROUTERS),
        ("financial", financial.ROUTERS),
        ("gamification", gamification.ROUTERS),
    )
}


__all__ = ["CONTEXTS", "HOSTED", "HOSTED_INTERNAL", "ROUTERS", "context_of"]
