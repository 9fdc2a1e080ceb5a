"""Platform analytics' rules (pure): UTC days and weeks, active traders over sliding
windows, retention by sign-up cohort, and levels kept as daily changes (open interest,
MRR, active copies). Definitions in docs/analytics.md "Platform analytics"."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from astratrade.analytics.domain.numbers import ZERO, ratio

WEEK = 7
MONTH = 30  # monthly active: the day and the 29 before
RETENTION_WEEKS = (1, 4)


def utc_day(at: datetime) -> date:
    return at.astimezone(UTC).date()


def week_of(day: date) -> date:
    """The Monday (UTC) of the ISO week holding `day`: a cohort's name."""
    return day - timedelta(days=day.weekday())


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def open_interest_change(before: Decimal, after: Decimal) -> Decimal:
    """What a fill that moved a position from `before` to `after` (signed sizes) adds to
    the market's open interest: Σ |position| over the accounts."""
    return abs(after) - abs(before)


@dataclass(frozen=True, slots=True)
class ActiveTraders:
    daily: int  # placed an order on the day
    weekly: int  # on the day or the 6 before
    monthly: int  # on the day or the 29 before


def active_traders(
    active_days: Iterable[tuple[str, date]], days: Sequence[date]
) -> dict[date, ActiveTraders]:
    """DAU, WAU and MAU on each of `days`, from (trader, day active) pairs that reach back
    at least 29 days before the first: a trader counts once per window however many days
    they were active in it."""
    by_trader: dict[str, set[date]] = defaultdict(set)
    for trader, day in active_days:
        by_trader[trader].add(day)
    wanted = set(days)
    counts: dict[int, dict[date, int]] = {w: defaultdict(int) for w in (1, WEEK, MONTH)}
    for active in by_trader.values():
        for window, count in counts.items():
            # The days whose window holds one of this trader's active days, each once.
            covered = {a + timedelta(days=n) for a in active for n in range(window)}
            for day in covered & wanted:
                count[day] += 1
    return {
        day: ActiveTraders(counts[1][day], counts[WEEK][day], counts[MONTH][day]) for day in days
    }


@dataclass(frozen=True, slots=True)
class Cohort:
    week: date  # the Monday of the sign-up week
    size: int  # traders who signed up that week
    retained: dict[int, int | None]  # week n -> members active in week n (None: not over)

    def rate(self, week: int) -> Decimal | None:
        """Share of the cohort active in week `week` after its own; None until that week
        is over (or for an empty cohort)."""
        retained = self.retained[week]
        return None if retained is None else ratio(Decimal(retained), Decimal(self.size))


def cohorts(
    signed_up: Mapping[str, date],
    active_days: Iterable[tuple[str, date]],
    today: date,
    weeks: Sequence[int] = RETENTION_WEEKS,
) -> list[Cohort]:
    """Cohorts by sign-up week, oldest first. A member is retained in week n when they
    placed an order in the n-th calendar week (Monday-Sunday, UTC) after their sign-up
    week's; counted once that week is over (a partial week would read low, then change)."""
    members: dict[date, set[str]] = defaultdict(set)
    for trader, day in signed_up.items():
        members[week_of(day)].add(trader)
    active_weeks: dict[date, set[str]] = defaultdict(set)
    for trader, day in active_days:
        if trader in signed_up:
            active_weeks[week_of(day)].add(trader)
    found = []
    for week in sorted(members):
        retained: dict[int, int | None] = {}
        for n in weeks:
            later = week + timedelta(weeks=n)
            over = later + timedelta(days=WEEK) <= today
            retained[n] = len(members[week] & active_weeks[later]) if over else None
        found.append(Cohort(week, len(members[week]), retained))
    return found


def levels(changes: Mapping[date, Decimal], before: Decimal, days: Sequence[date]) -> list[Decimal]:
    """The level at each day's close: `before` (the changes up to the first day, excluded)
    plus every change up to the day."""
    level, found = before, []
    for day in days:
        level += changes.get(day, ZERO)
        found.append(level)
    return found
