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
    they were active in it.

    A trader active on day a is counted on days a to a + window - 1; each trader's spans
    are merged, then counted with a running sum of +1 at each span's start and -1 after
    its end: linear in the rows, where expanding every row into its window's days would
    cost 30 set operations a row (days as ordinals: date arithmetic is the slow part)."""
    by_trader: dict[str, set[int]] = defaultdict(set)
    for trader, day in active_days:
        by_trader[trader].add(day.toordinal())
    ordinals = [day.toordinal() for day in days]
    counts = {w: _covered(by_trader.values(), w, ordinals) for w in (1, WEEK, MONTH)}
    return {
        day: ActiveTraders(counts[1][n], counts[WEEK][n], counts[MONTH][n])
        for n, day in enumerate(days)
    }


def _covered(traders: Iterable[set[int]], window: int, days: Sequence[int]) -> list[int]:
    steps: dict[int, int] = defaultdict(int)
    for active in traders:
        ordered = sorted(active)
        start, end = ordered[0], ordered[0] + window - 1
        for day in ordered[1:]:
            if day > end + 1:  # a gap: the span so far is done
                steps[start] += 1
                steps[end + 1] -= 1
                start = day
            end = day + window - 1
        steps[start] += 1
        steps[end + 1] -= 1
    changes = sorted(steps.items())
    running, n, found = 0, 0, []
    for day in days:
        while n < len(changes) and changes[n][0] <= day:
            running += changes[n][1]
            n += 1
        found.append(running)
    return found


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
