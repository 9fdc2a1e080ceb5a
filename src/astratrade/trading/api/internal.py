"""Trading's routes for the other services.

`GET /internal/v1/accounts/{id}/funds`: an account's committed funds now (trading's
queries), for financial's withdrawal
decision in distributed mode. `GET /internal/v1/collateral`: every trading account's
committed collateral, for financial's reconciliation of the ledger (from the database:
any replica answers for every shard). `GET /internal/v1/shards`: the shard map, each
shard's live holder and the address it is reached at, for the gateway and financial to
send an account's requests to the replica that writes it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import Request
from pydantic import BaseModel, Field

from astratrade.infrastructure.web.internal import internal_router
from astratrade.shared.errors import NotFound
from astratrade.trading import views as trading_views
from astratrade.trading.copy_views import MAX_COPY_STATES

router = internal_router()


class FundsOut(BaseModel):
    owner_id: str | None
    kind: str
    collateral: Decimal
    available: Decimal


@router.get("/accounts/{account_id}/funds", response_model=FundsOut)
async def account_funds(account_id: str, request: Request) -> FundsOut:
    found = await request.app.state.trading_queries.account_funds(account_id)
    if found is None:
        raise NotFound("no such account")
    return FundsOut(
        owner_id=found.owner_id,
        kind=found.kind,
        collateral=found.collateral,
        available=found.available,
    )


@router.get("/collateral", response_model=dict[str, Decimal])
async def collateral(request: Request) -> Any:
    return await trading_views.collateral_by_account(request.app.state.db)


@router.get("/shards")
async def shards(request: Request) -> dict[str, Any]:
    placement = await request.app.state.shard_leases.placement()
    answer: dict[str, Any] = placement.to_json()
    return answer


class StatesIn(BaseModel):
    account_ids: list[str] = Field(max_length=MAX_COPY_STATES)
    market: str = Field(max_length=16)


class StateOut(BaseModel):
    equity: Decimal
    available: Decimal
    collateral: Decimal
    position: Decimal
    unlocked_leverage: Decimal


class StatesOut(BaseModel):
    mark: Decimal
    accounts: dict[str, StateOut]


@router.post("/accounts/states", response_model=StatesOut)
async def account_states(body: StatesIn, request: Request) -> Any:
    states = await request.app.state.trading_queries.copy_states(body.account_ids, body.market)
    return StatesOut(
        mark=states.mark,
        accounts={
            account_id: StateOut(
                equity=state.equity,
                available=state.available,
                collateral=state.collateral,
                position=state.position,
                unlocked_leverage=state.unlocked_leverage,
            )
            for account_id, state in states.accounts.items()
        },
    )
