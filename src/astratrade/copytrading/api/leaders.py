"""Leading over HTTP: opt in (or set the profit share), stop, the directory of leaders
and one leader's statistics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from astratrade.copytrading import views
from astratrade.copytrading.api.schemas import LeaderOut, LeadersOut, LeadIn, Limit, Sort
from astratrade.copytrading.domain.commands import OptInAsLeader, StopLeading
from astratrade.infrastructure.web.deps import Bus, CurrentUser, Db
from astratrade.infrastructure.web.http import DecimalRoute
from astratrade.infrastructure.web.schemas import Cursor

router = APIRouter(prefix="/api/v1", tags=["copy trading"], route_class=DecimalRoute)
Username = Annotated[str, Path(min_length=1, max_length=64)]


@router.post("/leaders/me", response_model=LeaderOut)
async def lead(body: LeadIn, user: CurrentUser, bus: Bus, db: Db) -> LeaderOut:
    """Lead from the practice account: level ≥ 3, ≥ 20 closed positions, no liquidation in
    the last 7 days (400 `not_eligible_to_lead` naming every condition missed). While
    leading, sets the profit share (for copies opened afterwards)."""
    await bus.execute(OptInAsLeader(user_id=user.user_id, profit_share=body.profit_share))
    return LeaderOut.of(await views.leader_by_id(db, user.user_id))


@router.delete("/leaders/me", status_code=204)
async def stop_leading(user: CurrentUser, bus: Bus) -> Response:
    """Stop leading (not leading: 404)."""
    await bus.execute(StopLeading(user_id=user.user_id))
    return Response(status_code=204)


@router.get("/leaders", response_model=LeadersOut)
async def directory(
    user: CurrentUser,
    db: Db,
    sort: Sort = "roi_30d",
    cursor: Cursor = None,
    limit: Limit = 20,
) -> LeadersOut:
    """Leaders leading now, best first by `sort` (the lowest drawdown first); one in a block
    with the caller, either way, is left out."""
    page = await views.directory(db, user.user_id, sort, cursor, limit)
    return LeadersOut(items=[LeaderOut.of(v) for v in page.items], next_cursor=page.next_cursor)


@router.get("/leaders/{username}", response_model=LeaderOut)
async def leader(username: Username, user: CurrentUser, db: Db) -> LeaderOut:
    """One leader's statistics (someone not leading, or in a block with the caller: 404)."""
    return LeaderOut.of(await views.leader_by_username(db, user.user_id, username))
