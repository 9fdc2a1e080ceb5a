"""A leader's equity curve as the directory and a leader's page draw it: the growth of their
practice account over the last 30 or 90 days, normalized so that no balance is shown to
others (SPEC 11): each point is (capital + cumulative realized P&L) / capital after a close,
the capital as the statistics define it (the equity when the window's first closed position
opened), so the curve is measured from 1 and its last point is 1 + the window's ROI.

Read from the closed positions read model (the closes the statistics are computed from), in
the order they closed. One point a close; a window of more than MAX_POINTS closes keeps
MAX_POINTS of them, evenly spread, the first and the last always, each its exact value."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.copytrading.adapters.tables import closed_positions, leaders, traders
from astratrade.copytrading.domain.statistics import ClosedTrade, capital, fraction
from astratrade.copytrading.views.leaders import blocked_between
from astratrade.shared.errors import NotFound, ValidationFailed

WINDOWS = (30, 90)
MAX_POINTS = 500


@dataclass(frozen=True, slots=True)
class EquityPoint:
    at: datetime
    value: Decimal  # capital + cumulative realized P&L, over the capital; 6 decimals


@dataclass(frozen=True, slots=True)
class EquityCurve:
    username: str
    days: int
    points: list[EquityPoint]


def normalized(trades: Sequence[ClosedTrade], most: int = MAX_POINTS) -> list[EquityPoint]:
    """A point a close, in the order given (at most `most`: see `kept`); none when the
    capital is not positive (no growth can be told from it)."""
    return _curve(capital(trades), [(t.closed_at, t.realized_pnl) for t in trades], most)


def kept(count: int, most: int = MAX_POINTS) -> list[int]:
    """Which of `count` closes are drawn: all up to `most`, else `most` of them evenly
    spread, the first and the last always among them."""
    if count <= most:
        return list(range(count))
    step = (count - 1) / (most - 1)
    return [round(n * step) for n in range(most)]


def _curve(
    base: Decimal, closes: Sequence[tuple[datetime, Decimal]], most: int
) -> list[EquityPoint]:
    if base <= 0:
        return []
    totals, total = [], Decimal(0)
    for _, pnl in closes:
        total += pnl
        totals.append(total)
    # Only the points drawn are divided and rounded: a long window costs its additions.
    return [
        EquityPoint(closes[i][0], fraction((base + totals[i]) / base))
        for i in kept(len(closes), most)
    ]


async def leader_equity(
    db: AsyncEngine, viewer: str, username: str, days: int, now: datetime
) -> EquityCurve:
    """The curve of a leader leading now; anyone else (never led, stopped, unknown, in a block
    with the viewer either way) answers 404, as `leader_by_username` does."""
    if days not in WINDOWS:
        raise ValidationFailed("days", f"days was {days}, 30 or 90 is allowed")
    lead, t, c = leaders.c, traders.c, closed_positions.c
    async with db.connect() as conn:
        found = (
            await conn.execute(
                select(lead.user_id, t.username)
                .join(traders, t.user_id == lead.user_id)
                .where(
                    t.username_key == username.strip().lower(),
                    lead.active.is_(True),
                    ~blocked_between(viewer),
                )
            )
        ).first()
        if found is None:
            raise NotFound(f"no leader {username!r}")
        # By owner along the closes' index: only practice accounts' closes are kept, one
        # practice account an owner. The window as the statistics count it (a close exactly
        # `days` ago is out); the same rows a close's statistics refresh reads.
        # The capital is the first close's (one row); the rest need the time and P&L only.
        rows = await conn.execute(
            select(c.closed_at, c.realized_pnl, c.equity_at_open)
            .where(
                and_(
                    c.owner_id == found.user_id,
                    c.closed_at > now - timedelta(days=days),
                    c.closed_at <= now,
                )
            )
            .order_by(c.closed_at, c.sequence, c.position_id)
        )
        closes = rows.all()
    base = closes[0].equity_at_open if closes else Decimal(0)
    points = _curve(base, [(r.closed_at, r.realized_pnl) for r in closes], MAX_POINTS)
    return EquityCurve(found.username, days, points)
