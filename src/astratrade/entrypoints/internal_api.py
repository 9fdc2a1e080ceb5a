"""Service-to-service routes: never routed by the gateway, and each call must carry the
deployment's service key (derived from the signing secret every service already holds).

`GET /internal/v1/accounts/{id}/funds`: trading's queries answer an account's committed
funds now, for financial's withdrawal decision in distributed mode.

`GET /internal/v1/collateral`: every trading account's committed collateral, for
financial's reconciliation of the ledger.

`GET /internal/v1/live/progression/{user_id}`, `/live/boards/{channel}`,
`/live/tournaments/{id}`: the gamification service answers the live channels' reads for
the WebSocket hub, which runs with trading (`live_router`).

`GET /internal/v1/sessions/{user_id}`: the users service answers a user's session epoch and
suspension, for every other service's check of an access token (`sessions_router`);
`POST /internal/v1/sessions {user_ids}` answers many users' at once (unknown ones left
out), for the hub's check of its open sockets each second."""

from __future__ import annotations

import hmac
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, Header, Request, Response
from pydantic import BaseModel, Field

from astratrade.entrypoints.http import DecimalRoute
from astratrade.entrypoints.realtime.hub import as_json
from astratrade.entrypoints.realtime.views import BOARDS
from astratrade.infrastructure.service_calls import SERVICE_KEY_HEADER
from astratrade.shared.errors import NotFound, Unauthorized
from astratrade.trading import views as trading_views
from astratrade.users.adapters.http_sessions import USERS_PER_CALL


def require_service_key(
    request: Request, key: str = Header(default="", alias=SERVICE_KEY_HEADER)
) -> None:
    if not hmac.compare_digest(key, request.app.state.settings.service_key):
        raise Unauthorized("service key required")


_internal: dict[str, Any] = {"include_in_schema": False, "route_class": DecimalRoute,
                             "dependencies": [Depends(require_service_key)]}  # fmt: skip
router = APIRouter(prefix="/internal/v1", **_internal)
sessions_router = APIRouter(prefix="/internal/v1", **_internal)
live_router = APIRouter(prefix="/internal/v1/live", **_internal)


class FundsOut(BaseModel):
    owner_id: str | None
    kind: str
    collateral: Decimal
    available: Decimal


@router.get("/accounts/{account_id}/funds", response_model=FundsOut)
async def account_funds(account_id: str, request: Request) -> FundsOut:
    found = await request.app.state.platform.funds_of(account_id)
    if found is None:
        raise NotFound("no such account")
    funds = found.funds
    return FundsOut(owner_id=found.owner_id, kind=funds.kind, collateral=funds.collateral,
                    available=funds.available)  # fmt: skip


@router.get("/collateral", response_model=dict[str, Decimal])
async def collateral(request: Request) -> Any:
    return await trading_views.collateral_by_account(request.app.state.db)


class SessionOut(BaseModel):
    session_epoch: int
    suspended: bool


@sessions_router.get("/sessions/{user_id}", response_model=SessionOut)
async def session_state(user_id: str, request: Request) -> SessionOut:
    # The source itself, not the guard's moment-old copy: the caller keeps its own.
    state = await request.app.state.sessions.states.read(user_id)
    if state is None:
        raise NotFound("no such user")
    return SessionOut(session_epoch=state.epoch, suspended=state.suspended)


class SessionsIn(BaseModel):
    user_ids: list[str] = Field(max_length=USERS_PER_CALL)


class SessionsOut(BaseModel):
    sessions: dict[str, SessionOut]  # by user id; unknown users are left out


@sessions_router.post("/sessions", response_model=SessionsOut)
async def session_states(body: SessionsIn, request: Request) -> SessionsOut:
    states = await request.app.state.sessions.states.read_many(body.user_ids)
    return SessionsOut(sessions={user_id: SessionOut(session_epoch=state.epoch,
                                                     suspended=state.suspended)
                                 for user_id, state in states.items()})  # fmt: skip


def _json(data: Any) -> Response:
    return Response(as_json(data), media_type="application/json")


@live_router.get("/progression/{user_id}")
async def live_progression(user_id: str, request: Request) -> Response:
    return _json(await request.app.state.live_views.progression_of(user_id))


@live_router.get("/boards/{channel}")
async def live_board(channel: str, request: Request) -> Response:
    if channel not in BOARDS:
        raise NotFound(f"no board {channel!r}")
    return _json(await request.app.state.live_views.board_top(channel))


@live_router.get("/tournaments/{tournament_id}")
async def live_tournament(tournament_id: str, request: Request) -> Response:
    return _json(await request.app.state.live_views.tournament_top(tournament_id))
