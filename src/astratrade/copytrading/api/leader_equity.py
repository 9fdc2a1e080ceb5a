"""A leader's equity curve over HTTP: their practice account's growth, normalized (no
balance shown to others), for the directory's small charts and a leader's page."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from astratrade.copytrading.api.leaders import Username
from astratrade.copytrading.views.leader_equity import EquityCurve, leader_equity
from astratrade.infrastructure.web.deps import ClockDep, CurrentUser, Db
from astratrade.infrastructure.web.http import DecimalRoute
from astratrade.infrastructure.web.schemas import DecimalOut

router = APIRouter(prefix="/api/v1", tags=["copy trading"], route_class=DecimalRoute)
Days = Annotated[int, Query(description="the window: 30 or 90 days")]


class EquityPointOut(BaseModel):
    at: datetime
    value: DecimalOut


class EquityCurveOut(BaseModel):
    username: str
    days: int
    points: list[EquityPointOut]

    @classmethod
    def of(cls, curve: EquityCurve) -> EquityCurveOut:
        return cls(
            username=curve.username,
            days=curve.days,
            points=[EquityPointOut(at=p.at, value=p.value) for p in curve.points],
        )


@router.get("/leaders/{username}/equity", response_model=EquityCurveOut)
async def equity(
    username: Username, user: CurrentUser, db: Db, clock: ClockDep, days: Days = 30
) -> EquityCurveOut:
    """The leader's growth over the last `days` (30 or 90): one point a close (at most 500),
    (capital + cumulative realized P&L) / capital. Someone not leading now, or in a block
    with the caller either way: 404."""
    curve = await leader_equity(db, user.user_id, username, days, clock.now())
    return EquityCurveOut.of(curve)
