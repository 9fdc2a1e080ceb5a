"""Profit share on the high-water mark, and when it is settled.

SPEC 12: "Profit share, weekly (Monday 00:00 UTC) and at stop: share = max(0, (cumulative
net P&L - high-water mark) x rate); paid from the copy account to the leader's account as
a ledger entry; then the high-water mark = cumulative net P&L. Net P&L includes fees and
funding."

Read literally, "then the high-water mark = cumulative net P&L" after a week that lost
money would lower the mark, and the next week would charge again for profit already
charged once. So the mark is set only when a settlement finds P&L above it: it is the
highest cumulative net P&L any settlement has seen, starting at 0, and never goes down.

Rounding: the shares of a copy's whole life add up to rate x mark rounded once to the
ledger's 6 decimals, so weekly roundings never add up to more than the formula."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from astratrade.shared.money import ZERO, money


@dataclass(frozen=True, slots=True)
class Settlement:
    share: Decimal  # to pay now, from the copy account to the leader's
    high_water_mark: Decimal
    paid: Decimal  # every share of this copy so far, this one included


def settle(
    cumulative_net_pnl: Decimal,
    high_water_mark: Decimal,
    paid: Decimal,
    rate: Decimal,
    collateral: Decimal,
) -> Settlement:
    """share = max(0, (cumulative net P&L - high-water mark) x rate), the mark raised to the
    P&L when it is above; never more than the copy account holds."""
    if cumulative_net_pnl <= high_water_mark:
        return Settlement(ZERO, high_water_mark, paid)
    owed = money(cumulative_net_pnl * rate) - paid
    share = max(ZERO, min(owed, collateral))
    return Settlement(share, cumulative_net_pnl, paid + share)


def week_start(at: datetime) -> datetime:
    """Monday 00:00 UTC of the week `at` is in."""
    day = at.replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def weekly_settlement_due(last_settled: datetime, now: datetime) -> datetime | None:
    """The latest Monday 00:00 UTC after `last_settled` (the copy's start, or its last weekly
    settlement) and not after `now`; None when no week has turned since. Weeks missed while
    nothing ran settle once: the mark makes one settlement equal to several."""
    boundary = week_start(now)
    return boundary if boundary > last_settled else None


def week_label(boundary: datetime) -> str:
    """The ISO week a weekly settlement at `boundary` (a Monday 00:00 UTC) closes, as
    "2026-W49": trading debits once per copy and label."""
    year, week, _ = (boundary - timedelta(days=1)).isocalendar()
    return f"{year}-W{week:02d}"
