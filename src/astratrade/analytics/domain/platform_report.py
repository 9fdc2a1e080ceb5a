"""The platform's figures for a range of UTC days (pure): what the admins' dashboard
shows, from the rows platform analytics keeps. Definitions in docs/analytics.md."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from astratrade.analytics.domain.numbers import ZERO
from astratrade.analytics.domain.platform import (
    MONTH,
    ActiveTraders,
    Cohort,
    active_traders,
    cohorts,
    days_between,
    levels,
)


@dataclass(frozen=True, slots=True)
class MarketDay:
    market: str
    fills: int
    volume: Decimal  # Σ size x price of the fills, in USD
    fees: Decimal  # Σ the fills' fees
    copied_volume: Decimal  # the part of the volume filled in copy accounts
    liquidation_fills: int
    open_interest: Decimal  # Σ |position| over the accounts at the day's close, base asset


@dataclass(frozen=True, slots=True)
class PlatformDay:
    day: date
    sign_ups: int
    active: ActiveTraders
    volume: Decimal
    fees: Decimal
    copied_volume: Decimal
    liquidations: int
    liquidation_fees: Decimal
    copies_started: int
    active_copies: int  # at the day's close
    tournament_entrants: int
    mrr: Decimal  # at the day's close
    markets: list[MarketDay]


@dataclass(frozen=True, slots=True)
class PlatformReport:
    start: date
    end: date
    days: list[PlatformDay]
    cohorts: list[Cohort]


@dataclass(frozen=True, slots=True)
class MarketDayRow:
    """One stored market and day (its open interest as that day's change)."""

    market: str
    day: date
    fills: int
    volume: Decimal
    fees: Decimal
    copied_volume: Decimal
    liquidation_fills: int
    open_interest_change: Decimal


@dataclass(frozen=True, slots=True)
class PlatformRows:
    """What the report is computed from: rows of the range (and before it, for levels)."""

    signups_per_day: Mapping[date, int]
    active_days: list[tuple[str, date]]  # from 29 days before the start
    cohort_signups: Mapping[str, date]  # those who signed up in the range's weeks
    cohort_active_days: list[tuple[str, date]]
    market_days: list[MarketDayRow]  # every stored one up to the end
    liquidations: Mapping[date, tuple[int, Decimal]]
    copies: list[tuple[date, date | None]]  # (started on, ended on) of those overlapping
    entrants_per_day: Mapping[date, int]
    mrr_changes: Mapping[date, Decimal]  # every stored one up to the end


def activity_since(start: date) -> date:
    """The first day of activity the range's monthly actives need."""
    return start - timedelta(days=MONTH - 1)


def report(rows: PlatformRows, start: date, end: date, today: date) -> PlatformReport:
    days = days_between(start, end)
    active = active_traders(rows.active_days, days)
    markets = _market_days(rows.market_days, start, days)
    mrr_before = sum((c for d, c in rows.mrr_changes.items() if d < start), ZERO)
    mrr = levels(rows.mrr_changes, mrr_before, days)
    copies_started = Counter(started for started, _ in rows.copies)
    found = []
    for n, day in enumerate(days):
        of_day = markets[day]
        liquidations, liquidation_fees = rows.liquidations.get(day, (0, ZERO))
        found.append(
            PlatformDay(
                day=day,
                sign_ups=rows.signups_per_day.get(day, 0),
                active=active[day],
                volume=sum((m.volume for m in of_day), ZERO),
                fees=sum((m.fees for m in of_day), ZERO),
                copied_volume=sum((m.copied_volume for m in of_day), ZERO),
                liquidations=liquidations,
                liquidation_fees=liquidation_fees,
                copies_started=copies_started.get(day, 0),
                active_copies=sum(1 for s, e in rows.copies if s <= day and (e is None or e > day)),
                tournament_entrants=rows.entrants_per_day.get(day, 0),
                mrr=mrr[n],
                markets=of_day,
            )
        )
    retention = cohorts(rows.cohort_signups, rows.cohort_active_days, today)
    return PlatformReport(start, end, found, retention)


def _market_days(
    stored: Iterable[MarketDayRow], start: date, days: list[date]
) -> dict[date, list[MarketDay]]:
    """Each day's markets: those traded that day or holding open interest at its close."""
    changes: dict[str, dict[date, Decimal]] = defaultdict(dict)
    traded: dict[tuple[str, date], MarketDayRow] = {}
    for stored_row in stored:
        changes[stored_row.market][stored_row.day] = stored_row.open_interest_change
        traded[(stored_row.market, stored_row.day)] = stored_row
    by_day: dict[date, list[MarketDay]] = {day: [] for day in days}
    for market in sorted(changes):
        before = sum((c for d, c in changes[market].items() if d < start), ZERO)
        for day, open_interest in zip(days, levels(changes[market], before, days), strict=True):
            row = traded.get((market, day))
            if row is None and not open_interest:
                continue
            by_day[day].append(
                MarketDay(
                    market=market,
                    fills=row.fills if row else 0,
                    volume=row.volume if row else ZERO,
                    fees=row.fees if row else ZERO,
                    copied_volume=row.copied_volume if row else ZERO,
                    liquidation_fills=row.liquidation_fills if row else 0,
                    open_interest=open_interest,
                )
            )
    return by_day
