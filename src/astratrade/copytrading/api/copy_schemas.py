"""Copies' request and response bodies: money and fractions as exact strings."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from astratrade.copytrading.views.copies import CopyView, DecisionView
from astratrade.infrastructure.web.schemas import DecimalIn, DecimalOut, MoneyIn

Status = Literal["active", "stopping", "closed"]


class CopyIn(BaseModel):
    """leader: the leader's username; max_loss: a fraction from 0.10 to 0.90 (0.50 when not
    given)."""

    model_config = ConfigDict(extra="forbid")

    leader: str = Field(min_length=1, max_length=64)
    allocation: MoneyIn
    max_loss: DecimalIn | None = None


class LeaderRef(BaseModel):
    user_id: str
    username: str


class PositionOut(BaseModel):
    market: str
    side: str
    size: DecimalOut
    mark_price: DecimalOut


class AccountOut(BaseModel):
    equity: DecimalOut
    collateral: DecimalOut
    available: DecimalOut
    positions: list[PositionOut]


class CopyOut(BaseModel):
    id: str
    leader: LeaderRef
    copy_account_id: str
    source_account_id: str
    allocation: DecimalOut
    max_loss: DecimalOut
    stop_equity: DecimalOut
    profit_share: DecimalOut
    status: str
    stop_reason: str | None
    started_at: datetime
    closed_at: datetime | None
    funded: bool
    high_water_mark: DecimalOut
    profit_share_paid: DecimalOut
    returned: DecimalOut | None
    account: AccountOut | None = None  # on GET /copies/{id}: trading's copy account now

    @classmethod
    def of(cls, view: CopyView, account: AccountOut | None = None) -> CopyOut:
        return cls(
            id=view.id,
            leader=LeaderRef(user_id=view.leader_user_id, username=view.leader_username),
            copy_account_id=view.copy_account_id,
            source_account_id=view.source_account_id,
            allocation=view.allocation,
            max_loss=view.max_loss,
            stop_equity=view.stop_equity,
            profit_share=view.profit_share,
            status=view.status,
            stop_reason=view.stop_reason,
            started_at=view.started_at,
            closed_at=view.closed_at,
            funded=view.funded,
            high_water_mark=view.high_water_mark,
            profit_share_paid=view.profit_share_paid,
            returned=view.returned,
            account=account,
        )


class CopiesOut(BaseModel):
    items: list[CopyOut]
    next_cursor: str | None


class LeaderFillOut(BaseModel):
    id: str
    size: DecimalOut | None
    price: DecimalOut | None


class DecisionOut(BaseModel):
    id: str
    at: datetime
    kind: str
    market: str | None
    action: str | None
    side: str | None
    size: DecimalOut | None
    leverage: DecimalOut | None
    reason: str | None
    detail: str | None
    leader_fill: LeaderFillOut | None

    @classmethod
    def of(cls, view: DecisionView) -> DecisionOut:
        fill = None
        if view.leader_fill_id is not None:
            fill = LeaderFillOut(
                id=view.leader_fill_id, size=view.leader_fill_size, price=view.leader_fill_price
            )
        return cls(
            id=view.id,
            at=view.at,
            kind=view.kind,
            market=view.market,
            action=view.action,
            side=view.side,
            size=view.size,
            leverage=view.leverage,
            reason=view.reason,
            detail=view.detail,
            leader_fill=fill,
        )


class DecisionsOut(BaseModel):
    items: list[DecisionOut]
    next_cursor: str | None
