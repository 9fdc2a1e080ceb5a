"""The contexts a process may serve, and the public routes of each.

Embedded, one process serves them all; in distributed mode `astratrade serve --service X`
serves X's routes, runs X's consumers and projections (consumer names start with the
context: "trading", "gamification.xp_boards", "financial.ledger") and X's timed jobs,
and the gateway routes each path to the service whose router declares it."""

from __future__ import annotations

from fastapi import APIRouter

from astratrade.config import CONTEXTS, context_of
from astratrade.entrypoints import admin_api
from astratrade.entrypoints.realtime.ws_api import router as ws_router
from astratrade.financial.api.subscriptions import router as subscription_router
from astratrade.financial.api.transfers import router as financial_router
from astratrade.gamification.api.progression import router as gamification_router
from astratrade.gamification.api.tournaments import router as tournament_router
from astratrade.trading.api import admin as trading_admin
from astratrade.trading.api import router as trading_router
from astratrade.users.api import router as users_router

# The WebSocket hub lives with trading: prices and account states come from its engine.
ROUTERS: dict[str, tuple[APIRouter, ...]] = {
    "users": (users_router,),
    "trading": (trading_router, trading_admin.router, ws_router),
    "financial": (financial_router, subscription_router, admin_api.router),
    "gamification": (gamification_router, tournament_router),
}


__all__ = ["CONTEXTS", "ROUTERS", "context_of"]
