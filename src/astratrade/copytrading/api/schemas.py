"""Copy trading's request and response bodies: money and fractions as exact strings."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query
from pydantic import BaseModel, ConfigDict

from astratrade.copytrading.views import LeaderView
from astratrade.infrastructure.web.schemas import DecimalIn, DecimalOut

MAX_PAGE = 100
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Sort = Literal[
    "roi_7d",
    "roi_30d",
    "roi_90d",
    "max_drawdown_30d",
    "win_rate",
    "average_hold",
    "copiers",
    "allocated",
    "profit_share_earned",
]


class LeadIn(BaseModel):
    """profit_share: a fraction from 0 to 0.20 (10 % when not given)."""

    model_config = ConfigDict(extra="forbid")

    profit_share: DecimalIn | None = None


class StatisticsOut(BaseModel):
    roi_7d: DecimalOut
    roi_30d: DecimalOut
    roi_90d: DecimalOut
    max_drawdown_30d: DecimalOut
    win_rate: DecimalOut
    average_hold_seconds: int
    closed_positions_90d: int


class LeaderOut(BaseModel):
    user_id: str
    username: str
    profit_share: DecimalOut
    copiers: int
    allocated: DecimalOut
    profit_share_earned: DecimalOut
    statistics: StatisticsOut

    @classmethod
    def of(cls, view: LeaderView) -> LeaderOut:
        s = view.statistics
        return cls(
            user_id=view.user_id,
            username=view.username,
            profit_share=view.profit_share,
            copiers=view.copiers,
            allocated=view.allocated,
            profit_share_earned=view.profit_share_earned,
            statistics=StatisticsOut(
                roi_7d=s.roi_7d,
                roi_30d=s.roi_30d,
                roi_90d=s.roi_90d,
                max_drawdown_30d=s.max_drawdown_30d,
                win_rate=s.win_rate,
                average_hold_seconds=s.average_hold_seconds,
                closed_positions_90d=s.closed_positions_90d,
            ),
        )


class LeadersOut(BaseModel):
    items: list[LeaderOut]
    next_cursor: str | None
