"""Financial's HTTP API: an account's ledger postings and transfers, for its owner."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from astratrade.financial import views
from astratrade.financial.domain.commands import RequestTransfer
from astratrade.financial.domain.transfers import Transfer, TransferKind
from astratrade.infrastructure.tokens import Claims
from astratrade.infrastructure.web.deps import Bus, CurrentUser, Db, signed_in
from astratrade.infrastructure.web.http import DecimalRoute
from astratrade.infrastructure.web.schemas import DecimalOut, MoneyIn
from astratrade.shared.errors import NotFound

router = APIRouter(prefix="/api/v1", tags=["financial"], route_class=DecimalRoute)


class PostingOut(BaseModel):
    posting_id: int
    entry_id: str  # the id of the event behind it (see /admin/audit)
    kind: str
    amount: DecimalOut
    at: datetime


class LedgerOut(BaseModel):
    account_id: str
    postings: list[PostingOut]
    next_before: int | None  # pass as `before` for the next (older) page


# Posting ids are 64-bit integers: a larger `before` cannot name one, and the database
# drivers refuse to bind it.
MAX_POSTING_ID = 2**63 - 1


@router.get("/ledger", response_model=LedgerOut)
async def ledger(
    account_id: Annotated[str, Query(min_length=1, max_length=64)],
    user: CurrentUser,
    db: Db,
    before: Annotated[int | None, Query(ge=1, le=MAX_POSTING_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> LedgerOut:
    """The account's postings, newest first (a read model: it follows trading within
    moments). Another trader's account answers 404."""
    async with db.connect() as conn:
        if await views.owner_of(conn, account_id) != user.user_id:
            raise NotFound(f"account {account_id} not found")
        page = await views.postings_of(conn, account_id, before, limit)
    return LedgerOut(
        account_id=account_id,
        postings=[
            PostingOut(
                posting_id=p.posting_id, entry_id=p.entry_id, kind=p.kind, amount=p.amount, at=p.at
            )
            for p in page
        ],
        next_before=page[-1].posting_id if len(page) == limit else None,
    )


class AmountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: MoneyIn


class TransferOut(BaseModel):
    transfer_id: str
    account_id: str
    kind: str | None
    amount: DecimalOut | None  # what moves (the faucet cuts a request to the cap)
    requested: DecimalOut | None
    status: str  # pending, then completed or refused (with the reason)
    reason: str | None = None
    requested_at: datetime | None = None
    settled_at: datetime | None = None


class TransfersOut(BaseModel):
    account_id: str
    transfers: list[TransferOut]


async def _request(
    bus: Bus, owner_id: str, account_id: str, kind: TransferKind, body: AmountIn
) -> TransferOut:
    command = RequestTransfer(
        owner_id=owner_id, account_id=account_id, kind=kind, amount=body.amount
    )
    transfer: Transfer = await bus.execute(command)
    return TransferOut(
        transfer_id=transfer.id,
        account_id=account_id,
        kind=kind.value,
        amount=transfer.amount,
        requested=transfer.requested,
        status="pending",
    )


@router.post(
    "/accounts/{account_id}/faucet",
    status_code=202,
    response_model=TransferOut,
)
async def faucet(
    account_id: str, body: AmountIn, user: Annotated[Claims, signed_in("faucet")], bus: Bus
) -> TransferOut:
    """Top a practice account up with virtual dollars: to at most 100,000, once per UTC day
    (the amount is cut to the cap). Accepted now, applied by trading within moments: follow
    it at GET /accounts/{id}/transfers."""
    return await _request(bus, user.user_id, account_id, TransferKind.FAUCET, body)


@router.post("/accounts/{account_id}/withdrawals", status_code=202, response_model=TransferOut)
async def withdraw(account_id: str, body: AmountIn, user: CurrentUser, bus: Bus) -> TransferOut:
    """Withdraw at most what margin leaves available (practice dollars go back to the
    house). Trading checks again when it applies it, and refuses it if an order or a loss
    came between."""
    return await _request(bus, user.user_id, account_id, TransferKind.WITHDRAWAL, body)


@router.get("/accounts/{account_id}/transfers", response_model=TransfersOut)
async def transfers(
    account_id: str,
    user: CurrentUser,
    db: Db,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> TransfersOut:
    """The account's faucet top-ups and withdrawals, newest first, with their status."""
    async with db.connect() as conn:
        if await views.owner_of(conn, account_id) != user.user_id:
            raise NotFound(f"account {account_id} not found")
        found = await views.transfers_of(conn, account_id, limit)
    return TransfersOut(
        account_id=account_id,
        transfers=[
            TransferOut(
                account_id=account_id,
                transfer_id=t.transfer_id,
                kind=t.kind,
                amount=t.amount,
                requested=t.requested,
                status=t.status,
                reason=t.reason,
                requested_at=t.requested_at,
                settled_at=t.settled_at,
            )
            for t in found
        ],
    )
