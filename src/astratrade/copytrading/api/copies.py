"""Copying over HTTP: open a copy, the caller's copies, one copy with its account now, its
decisions, and stopping it. Another user's copy answers 404."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Path, Request

from astratrade.copytrading.api.copy_schemas import (
    AccountOut,
    CopiesOut,
    CopyIn,
    CopyOut,
    DecisionOut,
    DecisionsOut,
    PositionOut,
    Status,
)
from astratrade.copytrading.api.schemas import Limit
from astratrade.copytrading.domain.commands import StartCopy, StopCopy
from astratrade.copytrading.domain.copies import Copy
from astratrade.copytrading.handlers.common import Tools
from astratrade.copytrading.ports import MAX_STATES, CopyAccounts, CopyAccountState
from astratrade.copytrading.views import copies as views
from astratrade.infrastructure.web.deps import Bus, CurrentUser, Db
from astratrade.infrastructure.web.http import DecimalRoute
from astratrade.infrastructure.web.schemas import Cursor
from astratrade.shared.errors import Unavailable

router = APIRouter(prefix="/api/v1", tags=["copy trading"], route_class=DecimalRoute)
CopyId = Annotated[str, Path(min_length=1, max_length=64)]


@router.post("/copies", response_model=CopyOut, status_code=201)
async def start_copy(body: CopyIn, user: CurrentUser, bus: Bus, db: Db) -> CopyOut:
    """Copy a leader with `allocation` from the practice account (rules: docs/copytrading.md
    "Opening a copy", the first broken one answers)."""
    command = StartCopy(
        user_id=user.user_id,
        leader=body.leader,
        allocation=body.allocation,
        max_loss=body.max_loss,
    )
    copy = await bus.execute(command)
    return CopyOut.of(await views.copy_of(db, user.user_id, copy.id))


@router.get("/copies", response_model=CopiesOut)
async def my_copies(
    user: CurrentUser,
    db: Db,
    status: Status | None = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> CopiesOut:
    """The caller's copies, newest first."""
    page = await views.copies_of(db, user.user_id, status, cursor, limit)
    return CopiesOut(items=[CopyOut.of(v) for v in page.items], next_cursor=page.next_cursor)


@router.get("/copies/{copy_id}", response_model=CopyOut)
async def one_copy(copy_id: CopyId, user: CurrentUser, db: Db, request: Request) -> CopyOut:
    """The copy, with its account as trading holds it now (null while trading has none, or
    cannot answer; null once the copy is closed: trading then holds the account at 0)."""
    view = await views.copy_of(db, user.user_id, copy_id)
    return CopyOut.of(view, await account_of(request.app.state.copytrading, view))


@router.get("/copies/{copy_id}/decisions", response_model=DecisionsOut)
async def decisions(
    copy_id: CopyId, user: CurrentUser, db: Db, cursor: Cursor = None, limit: Limit = 20
) -> DecisionsOut:
    """Every decision of the copy, newest first: copied, skipped (with the reason and its
    figures), closed, refused by trading, stopping, profit share, closed_copy, funded."""
    page = await views.decisions_of(db, user.user_id, copy_id, cursor, limit)
    items = [DecisionOut.of(v) for v in page.items]
    return DecisionsOut(items=items, next_cursor=page.next_cursor)


@router.delete("/copies/{copy_id}", response_model=CopyOut, status_code=202)
async def stop_copy(copy_id: CopyId, user: CurrentUser, bus: Bus, db: Db) -> CopyOut:
    """Stop copying: its positions are closed at market, then the final profit share is
    settled and the rest goes back (202, status stopping); not active: 409."""
    stopped: Copy = await bus.execute(StopCopy(user_id=user.user_id, copy_id=copy_id))
    view = await views.copy_of(db, user.user_id, copy_id)
    # The copy as the stop left it. Trading may have flattened and closed it by now (a copy
    # with no position closes within the request when the events go in process), which the
    # copy's own route then shows; this answer is the stop's.
    return CopyOut.of(
        replace(
            view,
            status=stopped.status.value,
            stop_reason=None if stopped.stop_reason is None else stopped.stop_reason.value,
            closed_at=None,
            returned=None,
            profit_share_paid=stopped.profit_share_paid,
        )
    )


async def account_of(tools: Tools, view: views.CopyView) -> AccountOut | None:
    """The copy's account now; none once the copy is closed (trading still knows the
    account then, holding 0, and a closed copy has no account to show: not asked)."""
    if view.status == "closed":
        return None
    return await _account(tools, view.copy_account_id)


async def _account(tools: Tools, account_id: str) -> AccountOut | None:
    """Trading not answering leaves the account out rather than the copy: the copy is copy
    trading's to show."""
    try:
        found = await copy_accounts(tools.accounts, sorted(tools.markets), [account_id])
    except Unavailable:
        return None
    return found.get(account_id)


async def copy_accounts(
    accounts: CopyAccounts, markets: list[str], account_ids: list[str]
) -> dict[str, AccountOut]:
    """Each copy account as trading holds it now (unknown ids left out): one read per
    market (the contract's read names one market) and per MAX_STATES accounts, all at
    once. Unavailable when trading cannot answer."""
    chunks = [account_ids[at : at + MAX_STATES] for at in range(0, len(account_ids), MAX_STATES)]
    asked = [(m, chunk) for m in markets for chunk in chunks]
    answers = await asyncio.gather(*(accounts.states(chunk, m) for m, chunk in asked))
    held: dict[str, list[tuple[str, Decimal, CopyAccountState]]] = {}
    for (market, _), answer in zip(asked, answers, strict=True):
        for account_id, state in answer.accounts.items():
            held.setdefault(account_id, []).append((market, answer.mark, state))
    return {account_id: _account_out(found) for account_id, found in held.items()}


def _account_out(found: list[tuple[str, Decimal, CopyAccountState]]) -> AccountOut:
    _, _, first = found[0]
    positions = [
        PositionOut(
            market=market,
            side="long" if state.position > 0 else "short",
            size=abs(state.position),
            mark_price=mark,
        )
        for market, mark, state in found
        if state.position != 0
    ]
    return AccountOut(
        equity=first.equity,
        collateral=first.collateral,
        available=first.available,
        positions=positions,
    )
