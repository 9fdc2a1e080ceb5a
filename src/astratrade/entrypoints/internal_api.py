"""Service-to-service routes: never routed by the gateway, and each call must carry the
deployment's service key (derived from the signing secret every service already holds).

`GET /internal/v1/accounts/{id}/funds`: trading's single writer answers an account's
funds now, for financial's withdrawal decision in distributed mode."""

from __future__ import annotations

import hmac
from decimal import Decimal

from fastapi import APIRouter, Header, Request
from pydantic import BaseModel

from astratrade.entrypoints.http import DecimalRoute
from astratrade.shared.errors import NotFound, Unauthorized

router = APIRouter(prefix="/internal/v1", route_class=DecimalRoute, include_in_schema=False)
SERVICE_KEY_HEADER = "X-Service-Key"


class FundsOut(BaseModel):
    owner_id: str | None
    kind: str
    collateral: Decimal
    available: Decimal


@router.get("/accounts/{account_id}/funds", response_model=FundsOut)
async def account_funds(
    account_id: str, request: Request, x_service_key: str = Header(default="")
) -> FundsOut:
    if not hmac.compare_digest(x_service_key, request.app.state.settings.service_key):
        raise Unauthorized("service key required")
    found = await request.app.state.platform.funds_of(account_id)
    if found is None:
        raise NotFound("no such account")
    funds = found.funds
    return FundsOut(owner_id=found.owner_id, kind=funds.kind, collateral=funds.collateral,
                    available=funds.available)  # fmt: skip
