"""Service-to-service routes: never routed by the gateway, and each call must carry the
deployment's service key (derived from the signing secret every service already holds).

`GET /internal/v1/accounts/{id}/funds`: trading's single writer answers an account's
funds now, for financial's withdrawal decision in distributed mode.

`GET /internal/v1/collateral`: every trading account's committed collateral, for
financial's reconciliation of the ledger.

`GET /internal/v1/live/progression/{user_id}`, `/live/boards/{channel}`,
`/live/tournaments/{id}`: the gamification service answers the live channels' reads for
the WebSocket hub, which runs with trading (`live_router`).

`GET /internal/v1/sessions/{user_id}`: the users service answers a user's session epoch and
suspension, for every other service's check of an access token (`sessions_router`)."""

from __future__ import annotations

import hmac
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Header, Request, Response
from pydantic import BaseModel

from astratrade.entrypoints.http import DecimalRoute
from astratrade.entrypoints.realtime.views import BOARDS, SqlLiveViews, as_json
from astratrade.shared.errors import NotFound, Unauthorized
from astratrade.trading import views as trading_views

router = APIRouter(prefix="/internal/v1", route_class=DecimalRoute, include_in_schema=False)
sessions_router = APIRouter(prefix="/internal/v1", include_in_schema=False)
live_router = APIRouter(prefix="/internal/v1/live", include_in_schema=False)
SERVICE_KEY_HEADER = "X-Service-Key"


def _require_service_key(request: Request, shown: str) -> None:
    if not hmac.compare_digest(shown, request.app.state.settings.service_key):
        raise Unauthorized("service key required")


class FundsOut(BaseModel):
    owner_id: str | None
    kind: str
    collateral: Decimal
    available: Decimal


@router.get("/accounts/{account_id}/funds", response_model=FundsOut)
async def account_funds(
    account_id: str, request: Request, x_service_key: str = Header(default="")
) -> FundsOut:
    _require_service_key(request, x_service_key)
    found = await request.app.state.platform.funds_of(account_id)
    if found is None:
        raise NotFound("no such account")
    funds = found.funds
    return FundsOut(owner_id=found.owner_id, kind=funds.kind, collateral=funds.collateral,
                    available=funds.available)  # fmt: skip


@router.get("/collateral", response_model=dict[str, Decimal])
async def collateral(request: Request, x_service_key: str = Header(default="")) -> Any:
    _require_service_key(request, x_service_key)
    return await trading_views.collateral_by_account(request.app.state.db)


class SessionOut(BaseModel):
    session_epoch: int
    suspended: bool


@sessions_router.get("/sessions/{user_id}", response_model=SessionOut)
async def session_state(
    user_id: str, request: Request, x_service_key: str = Header(default="")
) -> SessionOut:
    _require_service_key(request, x_service_key)
    # The source itself, not the guard's moment-old copy: the caller keeps its own.
    state = await request.app.state.sessions.states.read(user_id)
    if state is None:
        raise NotFound("no such user")
    return SessionOut(session_epoch=state.epoch, suspended=state.suspended)


def _live(request: Request, shown: str) -> SqlLiveViews:
    _require_service_key(request, shown)
    views: SqlLiveViews = request.app.state.live_views
    return views


def _json(data: Any) -> Response:
    return Response(as_json(data), media_type="application/json")


@live_router.get("/progression/{user_id}")
async def live_progression(
    user_id: str, request: Request, x_service_key: str = Header(default="")
) -> Response:
    return _json(await _live(request, x_service_key).progression_of(user_id))


@live_router.get("/boards/{channel}")
async def live_board(
    channel: str, request: Request, x_service_key: str = Header(default="")
) -> Response:
    views = _live(request, x_service_key)
    if channel not in BOARDS:
        raise NotFound(f"no board {channel!r}")
    return _json(await views.board_top(channel))


@live_router.get("/tournaments/{tournament_id}")
async def live_tournament(
    tournament_id: str, request: Request, x_service_key: str = Header(default="")
) -> Response:
    return _json(await _live(request, x_service_key).tournament_top(tournament_id))
