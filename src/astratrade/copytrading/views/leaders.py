"""Leaders as the directory and a leader's page show them: the leader's standing and the
statistics of their practice account's closed positions (domain/statistics.py), computed
when read, since the windows (7, 30, 90 days) move with the clock.

The directory sorts on a statistic, best first, ties by user id; its cursor names the last
leader given by (that statistic, user id), so the next page starts after it."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from astratrade.copytrading.adapters.tables import blocks, closed_positions, leaders, traders
from astratrade.copytrading.domain.statistics import (
    LONGEST_WINDOW,
    ClosedTrade,
    TradeStatistics,
    statistics_of,
)
from astratrade.shared.errors import NotFound, ValidationFailed

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class LeaderView:
    user_id: str
    username: str
    profit_share: Decimal
    copiers: int  # copies are not opened yet: 0
    allocated: Decimal  # the copies' allocations added up: 0 until copies exist
    profit_share_earned: Decimal  # settled shares added up: 0 until settlements exist
    statistics: TradeStatistics


@dataclass(frozen=True, slots=True)
class Page:
    items: list[LeaderView]
    next_cursor: str | None  # None: this is the last page


# Each sort: how to read its value, and whether a lower value is better.
SORTS: dict[str, tuple[str, bool]] = {
    "roi_7d": ("statistics.roi_7d", False),
    "roi_30d": ("statistics.roi_30d", False),
    "roi_90d": ("statistics.roi_90d", False),
    "max_drawdown_30d": ("statistics.max_drawdown_30d", True),
    "win_rate": ("statistics.win_rate", False),
    "average_hold": ("statistics.average_hold_seconds", False),
    "copiers": ("copiers", False),
    "allocated": ("allocated", False),
    "profit_share_earned": ("profit_share_earned", False),
}


def sort_value(view: LeaderView, sort: str) -> Decimal:
    value: Any = view
    for part in SORTS[sort][0].split("."):
        value = getattr(value, part)
    return Decimal(value)


async def leader_by_username(
    db: AsyncEngine, viewer: str, username: str, now: datetime
) -> LeaderView:
    """A leader leading now; anyone else (never led, stopped, unknown, in a block with the
    viewer either way) answers 404."""
    async with db.connect() as conn:
        named = traders.c.username_key == username.strip().lower()
        found = await _leaders(conn, and_(named, ~blocked_between(viewer)), now)
    if not found:
        raise NotFound(f"no leader {username!r}")
    return found[0]


async def leader_by_id(db: AsyncEngine, user_id: str, now: datetime) -> LeaderView:
    async with db.connect() as conn:
        found = await _leaders(conn, leaders.c.user_id == user_id, now)
    if not found:
        raise NotFound("you are not leading")
    return found[0]


async def directory(
    db: AsyncEngine, viewer: str, sort: str, cursor: str | None, limit: int, now: datetime
) -> Page:
    """Every leader leading now but those in a block with the viewer, best first by `sort`.
    The statistics move with time, so the whole set is computed and sorted per read: fine
    for the leaders of a platform (a few thousand), and the place to keep a table of them if
    that grows."""
    after = None if cursor is None else _decode(cursor)
    async with db.connect() as conn:
        everyone = await _leaders(conn, ~blocked_between(viewer), now)
    lower_first = SORTS[sort][1]

    def key(view: LeaderView) -> tuple[Decimal, str]:
        value = sort_value(view, sort)
        return (value if lower_first else -value, view.user_id)

    ordered = sorted(everyone, key=key)
    if after is not None:
        mark = (after[0] if lower_first else -after[0], after[1])
        ordered = [v for v in ordered if key(v) > mark]
    shown = ordered[:limit]
    more = len(ordered) > limit
    return Page(shown, _encode(sort_value(shown[-1], sort), shown[-1].user_id) if more else None)


def blocked_between(viewer: str) -> ColumnElement[bool]:
    """The viewer and the leader of the row: either has blocked the other."""
    b, leader = blocks.c, leaders.c.user_id
    return exists().where(
        or_(
            and_(b.blocker_id == viewer, b.blocked_id == leader),
            and_(b.blocker_id == leader, b.blocked_id == viewer),
        )
    )


async def _leaders(conn: AsyncConnection, where: Any, now: datetime) -> list[LeaderView]:
    lead, t = leaders.c, traders.c
    query = (
        select(lead.user_id, lead.account_id, lead.profit_share, t.username)
        .join(traders, t.user_id == lead.user_id)
        .where(lead.active.is_(True))
    )
    if where is not None:
        query = query.where(where)
    rows = (await conn.execute(query)).all()
    trades = await _trades(conn, [r.account_id for r in rows], now)
    return [
        LeaderView(
            user_id=r.user_id,
            username=r.username,
            profit_share=r.profit_share,
            copiers=0,
            allocated=ZERO,
            profit_share_earned=ZERO,
            statistics=statistics_of(trades.get(r.account_id, []), now),
        )
        for r in rows
    ]


async def _trades(
    conn: AsyncConnection, accounts: list[str], now: datetime
) -> dict[str, list[ClosedTrade]]:
    """The closes of the longest window, by account."""
    if not accounts:
        return {}
    c = closed_positions.c
    query = select(c.account_id, c.opened_at, c.closed_at, c.realized_pnl, c.equity_at_open).where(
        and_(c.account_id.in_(accounts), c.closed_at > now - LONGEST_WINDOW)
    )
    found: dict[str, list[ClosedTrade]] = {}
    for row in await conn.execute(query):
        trade = ClosedTrade(row.opened_at, row.closed_at, row.realized_pnl, row.equity_at_open)
        found.setdefault(row.account_id, []).append(trade)
    return found


def _encode(value: Decimal, user_id: str) -> str:
    raw = json.dumps([str(value), user_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[Decimal, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, user_id = json.loads(raw)
        number = Decimal(value)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError, InvalidOperation) as error:
        raise ValidationFailed("cursor", "the cursor is not one this API gave") from error
    if not number.is_finite() or not isinstance(user_id, str) or not 0 < len(user_id) <= 64:
        raise ValidationFailed("cursor", "the cursor is not one this API gave")
    return number, user_id
