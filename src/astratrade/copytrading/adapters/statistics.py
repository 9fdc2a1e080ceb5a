"""The statistics read model's writes: a practice account's statistics computed from its
closed positions (domain/statistics.py) and kept in `copytrading_leader_statistics`, at
each close (by the practice read model, in the close's transaction) and when a close
leaves a window (`refresh_due`, a timed job), so that a stored row always equals
`statistics_of` at any moment before its `refresh_at`."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.copytrading.adapters.tables import closed_positions, leader_statistics
from astratrade.copytrading.domain.running_statistics import (
    SHORTEST,
    RunningStatistics,
    WindowSums,
    can_add,
)
from astratrade.copytrading.domain.statistics import (
    LONGEST_WINDOW,
    ClosedTrade,
    TradeStatistics,
    next_change,
)
from astratrade.infrastructure.many_rows import execute_many

MILLIONTH = Decimal("0.000001")
# BIGINT's range: a ROI past it (9.2 trillion, from an equity near zero at the opening)
# is held at its end, which still sorts it first.
LARGEST = 2**63 - 1
FRACTIONS = ("roi_7d", "roi_30d", "roi_90d", "max_drawdown_30d", "win_rate")


def to_millionths(value: Decimal) -> int:
    return max(-LARGEST, min(LARGEST, int(value.scaleb(6))))


def from_millionths(value: int) -> Decimal:
    return Decimal(value) * MILLIONTH


def zero_row(user_id: str, account_id: str) -> dict[str, Any]:
    """A practice account's row before any close."""
    return {
        "user_id": user_id,
        "account_id": account_id,
        **dict.fromkeys(FRACTIONS, 0),
        "average_hold_seconds": 0,
        "closed_positions_90d": 0,
        "as_of": None,
        "refresh_at": None,
        "running": None,
    }


def stored(row: Any) -> TradeStatistics:
    """The statistics of a row of the table (or of a query selecting its columns)."""
    return TradeStatistics(
        **{name: from_millionths(getattr(row, name)) for name in FRACTIONS},
        average_hold_seconds=int(row.average_hold_seconds),
        closed_positions_90d=int(row.closed_positions_90d),
    )


def refresh(conn: Connection, account_id: str, now: datetime) -> None:
    """Compute the account's statistics at now from its closes and keep them. The row is
    locked first, so that a refresh and a close's update of the same account run one after
    the other, the second reading the first's close."""
    s = leader_statistics.c
    owner = conn.scalar(select(s.user_id).where(s.account_id == account_id).with_for_update())
    if owner is None:
        return  # not a practice account copy trading knows
    # By owner, along the closes' index (owner, closed_at): only practice accounts' closes
    # are kept, one practice account an owner.
    c = closed_positions.c
    query = select(c.opened_at, c.closed_at, c.realized_pnl, c.equity_at_open).where(
        c.owner_id == owner, c.closed_at > now - LONGEST_WINDOW
    )
    # In the order they closed, those closed at the same moment in their account's order
    # (the statistics sort by close time only, keeping this order among equals).
    query = query.order_by(c.closed_at, c.sequence, c.position_id)
    trades = [ClosedTrade(*row) for row in conn.execute(query)]
    kept = _kept_row(account_id, RunningStatistics.of(trades, now), now, next_change(trades, now))
    execute_many(conn, _KEEP, [kept])


def add_closes(conn: Connection, closes: dict[str, list[ClosedTrade]]) -> None:
    """Keep each account's statistics as of the last of its new closes (already recorded,
    each account's in the order they closed): added to the running sums kept when they can
    be (`running_statistics.can_add`), else computed again from every close kept. An active
    trader's close then costs the same whatever their history, and a batch's accounts are
    read in one query and written in one statement."""
    if not closes:
        return
    s = leader_statistics.c
    # Locked in the accounts' order, so two writers of the same accounts cannot deadlock.
    found = {
        row.account_id: row
        for row in conn.execute(
            select(s.account_id, s.running, s.as_of, s.refresh_at)
            .where(s.account_id.in_(sorted(closes)))
            .order_by(s.account_id)
            .with_for_update()
        )
    }
    kept: list[dict[str, Any]] = []
    for account_id, trades in closes.items():
        row = found.get(account_id)
        if row is None:
            continue  # not a practice account copy trading knows
        now = trades[-1].closed_at
        if row.running is None or not can_add(trades, row.as_of, row.refresh_at):
            refresh(conn, account_id, now)
            continue
        running = decoded(row.running)
        for trade in trades:
            running = running.add(trade)
        entering = trades[0].closed_at + SHORTEST  # the first new close leaving a window
        refresh_at = entering if row.refresh_at is None else min(row.refresh_at, entering)
        kept.append(_kept_row(account_id, running, now, refresh_at))
    execute_many(conn, _KEEP, kept)


_KEPT = (*FRACTIONS, "average_hold_seconds", "closed_positions_90d", "as_of", "refresh_at")
_KEEP = (
    update(leader_statistics)
    .where(leader_statistics.c.account_id == bindparam("b_account_id"))
    .values({name: bindparam(f"b_{name}") for name in (*_KEPT, "running")})
)


def _kept_row(
    account_id: str, running: RunningStatistics, now: datetime, refresh_at: datetime | None
) -> dict[str, Any]:
    """`_KEEP`'s parameters: the statistics of these sums at now, and the sums."""
    stats = running.statistics()
    return {
        "b_account_id": account_id,
        **{f"b_{name}": to_millionths(getattr(stats, name)) for name in FRACTIONS},
        "b_average_hold_seconds": stats.average_hold_seconds,
        "b_closed_positions_90d": stats.closed_positions_90d,
        "b_as_of": now,
        "b_refresh_at": refresh_at,
        "b_running": encoded(running),
    }


SUMS = ("capital", "pnl", "equity", "peak", "worst")


def encoded(running: RunningStatistics) -> dict[str, Any]:
    """The sums as JSON: Decimals as text (exact), the time held in microseconds."""
    return {
        str(days): {
            "count": w.count,
            "wins": w.wins,
            "held_us": w.held // timedelta(microseconds=1),
            **{name: str(getattr(w, name)) for name in SUMS},
        }
        for days, w in running.windows.items()
    }


def decoded(data: dict[str, Any]) -> RunningStatistics:
    return RunningStatistics(
        {
            int(days): WindowSums(
                count=int(w["count"]),
                wins=int(w["wins"]),
                held=timedelta(microseconds=int(w["held_us"])),
                **{name: Decimal(w[name]) for name in SUMS},
            )
            for days, w in data.items()
        }
    )


def refresh_due(conn: Connection, now: datetime, limit: int = 200) -> int:
    """Recompute the rows whose windows have moved by now (at most `limit`, the oldest
    due first, so that one run stays a short transaction); how many were."""
    s = leader_statistics.c
    # Claimed (PostgreSQL's FOR UPDATE SKIP LOCKED): two replicas running this at once
    # each refresh rows the other does not hold, and a row the other refreshed meanwhile
    # is no longer due when locked here (its refresh_at moved on).
    due = conn.scalars(
        select(s.account_id)
        .where(s.refresh_at <= now)
        .order_by(s.refresh_at, s.account_id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for account_id in due:
        refresh(conn, account_id, now)
    return len(due)


async def any_due(db: AsyncEngine, now: datetime) -> bool:
    s = leader_statistics.c
    async with db.connect() as conn:
        found = await conn.scalar(select(s.account_id).where(s.refresh_at <= now).limit(1))
    return found is not None
