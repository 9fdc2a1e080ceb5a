"""Platform analytics' rows for a range of UTC days, read in one connection."""

from __future__ import annotations

from datetime import date, timedelta

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
    s, a = signups.c, activity.c
    per_day = select(s.day, func.count()).where(s.day.between(start, end)).group_by(s.day)
    signups_per_day = {day: int(n) for day, n in await conn.execute(per_day)}
    active = select(a.user_id, a.day).where(a.day.between(activity_since(start), end))
    active_days = [(u, d) for u, d in await conn.execute(active)]

    # Cohorts: the weeks the range touches; their activity up to the last week retention
    # looks at.
    first_week, last_week = week_of(start), week_of(end)
    cohort = select(s.user_id, s.day).where(
        s.day.between(first_week, last_week + timedelta(days=6))
    )
    cohort_signups = {row.user_id: row.day for row in await conn.execute(cohort)}
    last_day = last_week + timedelta(weeks=max(RETENTION_WEEKS), days=6)
    cohort_activity = (
        select(a.user_id, a.day)
        .join(signups, s.user_id == a.user_id)
        .where(s.day.between(first_week, last_week + timedelta(days=6)))
        .where(a.day.between(first_week, last_day))
    )
    cohort_active_days = [(u, d) for u, d in await conn.execute(cohort_activity)]

    m = market_days.c
    stored_markets = [
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
        for r in await conn.execute(select(market_days).where(m.day <= end))
    ]
    lq = liquidation_days.c
    liquidations = {
        r.day: (r.liquidations, r.liquidation_fees)
        for r in await conn.execute(select(liquidation_days).where(lq.day.between(start, end)))
    }
    c = copies.c
    overlapping = select(c.started_on, c.ended_on).where(
        c.started_on <= end, or_(c.ended_on.is_(None), c.ended_on >= start)
    )
    copy_spans = [(started, ended) for started, ended in await conn.execute(overlapping)]
    t = tournament_entries.c
    entrants = select(t.day, func.count()).where(t.day.between(start, end)).group_by(t.day)
    entrants_per_day = {day: int(n) for day, n in await conn.execute(entrants)}
    mrr_changes = {
        r.day: r.mrr_change
        for r in await conn.execute(select(mrr_days).where(mrr_days.c.day <= end))
    }
    return PlatformRows(
        signups_per_day=signups_per_day,
        active_days=active_days,
        cohort_signups=cohort_signups,
        cohort_active_days=cohort_active_days,
        market_days=stored_markets,
        liquidations=liquidations,
        copies=copy_spans,
        entrants_per_day=entrants_per_day,
        mrr_changes=mrr_changes,
    )
