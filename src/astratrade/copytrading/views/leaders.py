"""Leaders as the directory and a leader's page show them: the leader's standing and the
statistics of their practice account's closed positions (domain/statistics.py), as the
statistics read model keeps them (adapters/statistics.py: at each close, and again as a
close leaves a window).

The directory sorts on a statistic in SQL, best first, ties by user id, each sort on an
index of its own; its cursor names the last leader given by (that statistic, user id), so
the next page starts after it (a keyset: a page costs the same however deep)."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from astratrade.copytrading.adapters.statistics import (
    FRACTIONS,
    LARGEST,
    from_millionths,
    stored,
)
from astratrade.copytrading.adapters.tables import (
    blocks,
    leader_copies,
    leader_statistics,
    leaders,
    traders,
)
from astratrade.copytrading.domain.statistics import TradeStatistics
from astratrade.shared.errors import NotFound, ValidationFailed

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class LeaderView:
    user_id: str
    username: str
    profit_share: Decimal
    copiers: int  # copies not closed
    allocated: Decimal  # their allocations added up
    profit_share_earned: Decimal  # shares credited to the leader, added up
    statistics: TradeStatistics


@dataclass(frozen=True, slots=True)
class Page:
    items: list[LeaderView]
    next_cursor: str | None  # None: this is the last page


stats = leader_statistics.c
held = leader_copies.c
SHOWN = (*FRACTIONS, "average_hold_seconds", "closed_positions_90d")
# Each sort: the column it orders on, whether a lower value is better, and whether the
# column holds millionths (a fraction, or money) or a whole number.
SORTS: dict[str, tuple[Any, bool, bool]] = {
    "roi_7d": (stats.roi_7d, False, True),
    "roi_30d": (stats.roi_30d, False, True),
    "roi_90d": (stats.roi_90d, False, True),
    "max_drawdown_30d": (stats.max_drawdown_30d, True, True),
    "win_rate": (stats.win_rate, False, True),
    "average_hold": (stats.average_hold_seconds, False, False),
    "copiers": (held.copiers, False, False),
    "allocated": (held.allocated, False, True),
    "profit_share_earned": (held.profit_share_earned, False, True),
}
COPIES_SORTS = frozenset({"copiers", "allocated", "profit_share_earned"})


async def leader_by_username(db: AsyncEngine, viewer: str, username: str) -> LeaderView:
    """A leader leading now; anyone else (never led, stopped, unknown, in a block with the
    viewer either way) answers 404."""
    async with db.connect() as conn:
        named = traders.c.username_key == username.strip().lower()
        found = await _leaders(conn, and_(named, ~blocked_between(viewer)))
    if not found:
        raise NotFound(f"no leader {username!r}")
    return found[0]


async def leader_by_id(db: AsyncEngine, user_id: str) -> LeaderView:
    async with db.connect() as conn:
        found = await _leaders(conn, leaders.c.user_id == user_id)
    if not found:
        raise NotFound("you are not leading")
    return found[0]


async def directory(
    db: AsyncEngine, viewer: str, sort: str, cursor: str | None, limit: int
) -> Page:
    """Every leader leading now but those in a block with the viewer, best first by `sort`,
    a page of `limit` after the cursor's leader."""
    column, lower_first, fraction = SORTS[sort]
    order = column
    where = ~blocked_between(viewer)
    if cursor is not None:
        value, user_id = _decode(cursor)
        mark = _stored_value(value, fraction)
        after = order > mark if lower_first else order < mark
        where = and_(where, or_(after, and_(order == mark, stats.user_id > user_id)))
    ranked = [column.asc() if lower_first else column.desc()]
    async with db.connect() as conn:
        found = await _leaders(conn, where, [*ranked, stats.user_id], limit + 1)
    shown = found[:limit]
    if len(found) <= limit:
        return Page(shown, None)
    last = shown[-1]
    return Page(shown, _encode(sort_value(last, sort), last.user_id))


def sort_value(view: LeaderView, sort: str) -> Decimal:
    """The leader's value on the sort, as its cursor names it."""
    column = SORTS[sort][0]
    source = view if sort in COPIES_SORTS else view.statistics
    return Decimal(getattr(source, column.name))


def _stored_value(value: Decimal, fraction: bool) -> int:
    """A cursor's value as the column holds it; one this API did not give names the cursor."""
    held = value.scaleb(6) if fraction else value
    if held != held.to_integral_value() or abs(held) > LARGEST:
        raise ValidationFailed("cursor", "the cursor is not one this API gave")
    return int(held)


def blocked_between(viewer: str) -> ColumnElement[bool]:
    """The viewer and the leader of the row: either has blocked the other."""
    b, leader = blocks.c, leaders.c.user_id
    return exists().where(
        or_(
            and_(b.blocker_id == viewer, b.blocked_id == leader),
            and_(b.blocker_id == leader, b.blocked_id == viewer),
        )
    )


async def _leaders(
    conn: AsyncConnection, where: Any, order: list[Any] | None = None, limit: int | None = None
) -> list[LeaderView]:
    lead, t = leaders.c, traders.c
    query = (
        select(
            lead.user_id,
            lead.profit_share,
            t.username,
            *(stats[n] for n in SHOWN),
            held.copiers,
            held.allocated,
            held.profit_share_earned,
        )
        .select_from(leader_statistics)
        .join(leaders, lead.user_id == stats.user_id)
        .join(leader_copies, held.leader_id == lead.user_id)
        .join(traders, t.user_id == lead.user_id)
        .where(lead.active.is_(True), where)
    )
    if order is not None:
        query = query.order_by(*order)
    if limit is not None:
        query = query.limit(limit)
    return [
        LeaderView(
            user_id=r.user_id,
            username=r.username,
            profit_share=r.profit_share,
            copiers=r.copiers,
            allocated=from_millionths(r.allocated),
            profit_share_earned=from_millionths(r.profit_share_earned),
            statistics=stored(r),
        )
        for r in await conn.execute(query)
    ]


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
