"""Copies as their copier sees them: the copy, the copier's copies newest first, and a
copy's decisions newest first, each page a keyset (a page costs the same however deep).
Another user's copy is not found, as one that does not exist."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.copytrading.adapters.tables import copies, copy_decisions, traders
from astratrade.copytrading.domain.stop_loss import stop_loss_equity
from astratrade.infrastructure import paging
from astratrade.shared.errors import NotFound, ValidationFailed

c, d, t = copies.c, copy_decisions.c, traders.c


@dataclass(frozen=True, slots=True)
class CopyView:
    id: str
    leader_user_id: str
    leader_username: str
    copy_account_id: str
    source_account_id: str
    allocation: Decimal
    max_loss: Decimal
    stop_equity: Decimal
    profit_share: Decimal
    status: str
    stop_reason: str | None
    started_at: datetime
    closed_at: datetime | None
    funded: bool
    high_water_mark: Decimal
    profit_share_paid: Decimal
    returned: Decimal | None


@dataclass(frozen=True, slots=True)
class DecisionView:
    id: str
    at: datetime
    kind: str
    market: str | None
    action: str | None
    side: str | None
    size: Decimal | None
    leverage: Decimal | None
    reason: str | None
    detail: str | None
    leader_fill_id: str | None
    leader_fill_size: Decimal | None
    leader_fill_price: Decimal | None


@dataclass(frozen=True, slots=True)
class CopyPage:
    items: list[CopyView]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class DecisionPage:
    items: list[DecisionView]
    next_cursor: str | None


_COPY_QUERY = select(copies, t.username).select_from(
    copies.outerjoin(traders, t.user_id == c.leader_id)
)


def _view(row: Any) -> CopyView:
    return CopyView(
        id=row.copy_id,
        leader_user_id=row.leader_id,
        leader_username=row.username or "",
        copy_account_id=row.copy_account_id,
        source_account_id=row.source_account_id,
        allocation=row.allocation,
        max_loss=row.max_loss,
        stop_equity=stop_loss_equity(row.allocation, row.max_loss),
        profit_share=row.profit_share,
        status=row.status,
        stop_reason=row.stop_reason,
        started_at=row.started_at,
        closed_at=row.closed_at,
        funded=row.funded,
        high_water_mark=row.high_water_mark,
        profit_share_paid=row.profit_share_paid,
        returned=row.returned,
    )


async def copy_of(db: AsyncEngine, viewer: str, copy_id: str) -> CopyView:
    async with db.connect() as conn:
        row = (
            await conn.execute(_COPY_QUERY.where(c.copy_id == copy_id, c.copier_id == viewer))
        ).first()
    if row is None:
        raise NotFound(f"no copy {copy_id}")
    return _view(row)


async def copies_of(
    db: AsyncEngine, viewer: str, status: str | None, cursor: str | None, limit: int
) -> CopyPage:
    where = c.copier_id == viewer
    if status is not None:
        where = and_(where, c.status == status)
    if cursor is not None:
        at, key = paging.decode(cursor)
        where = and_(where, or_(c.started_at < at, and_(c.started_at == at, c.copy_id < key)))
    query = _COPY_QUERY.where(where).order_by(c.started_at.desc(), c.copy_id.desc())
    async with db.connect() as conn:
        rows = (await conn.execute(query.limit(limit + 1))).all()
    items = [_view(row) for row in rows[:limit]]
    more = len(rows) > limit
    return CopyPage(items, paging.encode(items[-1].started_at, items[-1].id) if more else None)


async def decisions_of(
    db: AsyncEngine, viewer: str, copy_id: str, cursor: str | None, limit: int
) -> DecisionPage:
    await copy_of(db, viewer, copy_id)  # another user's copy: 404
    where = d.copy_id == copy_id
    if cursor is not None:
        _at, key = paging.decode(cursor)
        if not key.isdigit():
            raise ValidationFailed("cursor", "the cursor is not one this API gave")
        where = and_(where, d.seq < int(key))
    query = select(copy_decisions).where(where).order_by(d.seq.desc()).limit(limit + 1)
    async with db.connect() as conn:
        rows = (await conn.execute(query)).all()
    items = [decision_view(row._mapping) for row in rows[:limit]]
    more = len(rows) > limit
    last = rows[limit - 1] if more else None
    return DecisionPage(items, paging.encode(last.at, str(last.seq)) if last else None)


def decision_view(row: Mapping[Any, Any]) -> DecisionView:
    """A history line as its row holds it (or as `copy_rows.history_line` makes it)."""
    return DecisionView(
        id=row["decision_id"],
        at=row["at"],
        kind=row["kind"],
        market=row["market"],
        action=row["action"],
        side=row["side"],
        size=row["size"],
        leverage=row["leverage"],
        reason=row["reason"],
        detail=row["detail"],
        leader_fill_id=row["leader_fill_id"],
        leader_fill_size=row["leader_fill_size"],
        leader_fill_price=row["leader_fill_price"],
    )
