"""Service-to-service routes: never routed by the gateway, and each call must carry the
deployment's service key (derived from the signing secret every service already holds).

`GET /internal/v1/accounts/{id}/funds`: trading's single writer answers an account's
funds now, for financial's withdrawal decision in distributed mode.

`GET /internal/v1/sessions/{user_id}`: the users service answers a user's session epoch and
suspension, for every other service's check of an access token (`sessions_router`)."""

from __future__ import annotations

import hmac
from decimal import Decimal

from fastapi import APIRouter, Header, Request
from pydantic import BaseModel

from astratrade.entrypoints.http import DecimalRoute
from astratrade.shared.errors import NotFound, Unauthorized

router = APIRouter(prefix="/internal/v1", route_class=DecimalRoute, include_in_schema=False)
sessions_router = APIRouter(prefix="/internal/v1", include_in_schema=False)
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
