"""Financial's HTTP API: an account's ledger postings, for its owner."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from astratrade.entrypoints.deps import CurrentUser, Db
from astratrade.entrypoints.http import DecimalRoute
from astratrade.entrypoints.schemas import DecimalOut
from astratrade.financial import views
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


@router.get("/ledger", response_model=LedgerOut)
async def ledger(
    account_id: Annotated[str, Query(min_length=1, max_length=64)],
    user: CurrentUser,
    db: Db,
    before: Annotated[int | None, Query(ge=1)] = None,
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
        postings=[PostingOut(posting_id=p.posting_id, entry_id=p.entry_id, kind=p.kind,
                             amount=p.amount, at=p.at) for p in page],
        next_before=page[-1].posting_id if len(page) == limit else None,
    )  # fmt: skip
