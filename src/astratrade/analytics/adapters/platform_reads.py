"""Platform analytics' rows for a range of UTC days, read in one connection."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from astratrade.analytics.adapters.platform_tables import (
    activity,
    copies,
    liquidation_days,
    market_days,
    mrr_days,
    signups,
    tournament_entries,
)
from astratrade.analytics.domain.platform import RETENTION_WEEKS, week_of
from astratrade.analytics.domain.platform_report import MarketDayRow, PlatformRows, activity_since


async def platform_rows(conn: AsyncConnection, start: date, end: date) -> PlatformRows:
    signups_per_day, active_days = await _signups_and_activity(conn, start, end)
    cohort_signups, cohort_active_days = await _cohorts(conn, start, end)
    t = tournament_entries.c
    entrants = select(t.day, func.count()).where(t.day.between(start, end)).group_by(t.day)
    mrr_changes = select(mrr_days).where(mrr_days.c.day <= end)
    return PlatformRows(
        signups_per_day=signups_per_day,
        active_days=active_days,
        cohort_signups=cohort_signups,
        cohort_active_days=cohort_active_days,
        market_days=await _market_days(conn, end),
        liquidations=await _liquidations(conn, start, end),
        copies=await _copy_spans(conn, start, end),
        entrants_per_day={day: int(n) for day, n in await conn.execute(entrants)},
        mrr_changes={r.day: r.mrr_change for r in await conn.execute(mrr_changes)},
    )


async def _signups_and_activity(
    conn: AsyncConnection, start: date, end: date
) -> tuple[dict[date, int], list[tuple[str, date]]]:
    """Sign-ups per day of the range; who was active on which day, from the month before
    it (the monthly actives of its first day)."""
    s, a = signups.c, activity.c
    per_day = select(s.day, func.count()).where(s.day.between(start, end)).group_by(s.day)
    active = select(a.user_id, a.day).where(a.day.between(activity_since(start), end))
    signups_per_day = {day: int(n) for day, n in await conn.execute(per_day)}
    return signups_per_day, [(u, d) for u, d in await conn.execute(active)]


async def _cohorts(
    conn: AsyncConnection, start: date, end: date
) -> tuple[dict[str, date], list[tuple[str, date]]]:
    """Cohorts: the weeks the range touches, who signed up in them, and their activity up
    to the last week retention looks at."""
    s, a = signups.c, activity.c
    first_week, last_week = week_of(start), week_of(end)
    signed_up = s.day.between(first_week, last_week + timedelta(days=6))
    last_day = last_week + timedelta(weeks=max(RETENTION_WEEKS), days=6)
    cohort = select(s.user_id, s.day).where(signed_up)
    cohort_activity = (
        select(a.user_id, a.day)
        .join(signups, s.user_id == a.user_id)
        .where(signed_up)
        .where(a.day.between(first_week, last_day))
    )
    cohort_signups = {row.user_id: row.day for row in await conn.execute(cohort)}
    return cohort_signups, [(u, d) for u, d in await conn.execute(cohort_activity)]


async def _market_days(conn: AsyncConnection, end: date) -> list[MarketDayRow]:
    """Every market's days up to `end` (open interest is the running sum of the changes)."""
    query = select(market_days).where(market_days.c.day <= end)
    return [
        MarketDayRow(
            r.market,
            r.day,
            r.fills,
            r.volume,
            r.fees,
            r.copied_volume,
            r.liquidation_fills,
            r.open_interest_change,
        )
        for r in await conn.execute(query)
    ]


async def _liquidations(
    conn: AsyncConnection, start: date, end: date
) -> dict[date, tuple[int, Decimal]]:
    lq = liquidation_days.c
    query = select(liquidation_days).where(lq.day.between(start, end))
    return {r.day: (r.liquidations, r.liquidation_fees) for r in await conn.execute(query)}


async def _copy_spans(
    conn: AsyncConnection, start: date, end: date
) -> list[tuple[date, date | None]]:
    """The copies active at some point of the range: their first and last day."""
    c = copies.c
    overlapping = select(c.started_on, c.ended_on).where(
        c.started_on <= end, or_(c.ended_on.is_(None), c.ended_on >= start)
    )
    return [(started, ended) for started, ended in await conn.execute(overlapping)]
