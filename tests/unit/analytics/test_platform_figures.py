"""Platform analytics' rules by hand-worked examples, and open interest kept as daily
changes equal to Σ |position| for any sequence of fills (Hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from astratrade.analytics.domain.platform import (
    ActiveTraders,
    active_traders,
    cohorts,
    days_between,
    levels,
    open_interest_change,
    week_of,
)

MON = date(2026, 3, 2)  # a Monday


def test_active_traders_count_each_trader_once_a_window() -> None:
    active = [
        ("ana", MON),
        ("ana", MON + timedelta(days=1)),
        ("bob", MON + timedelta(days=1)),
        ("cyd", MON - timedelta(days=20)),
    ]
    days = days_between(MON, MON + timedelta(days=10))
    found = active_traders(active, days)
    assert found[MON] == ActiveTraders(daily=1, weekly=1, monthly=2)
    assert found[MON + timedelta(days=1)] == ActiveTraders(daily=2, weekly=2, monthly=3)
    # Their last day (Tuesday) is in the week of the next Monday, not of the Tuesday after;
    # cyd's day leaves the month 30 days after it.
    assert found[MON + timedelta(days=7)] == ActiveTraders(daily=0, weekly=2, monthly=3)
    assert found[MON + timedelta(days=8)] == ActiveTraders(daily=0, weekly=0, monthly=3)
    assert found[MON + timedelta(days=10)] == ActiveTraders(daily=0, weekly=0, monthly=2)


def test_retention_counts_members_active_in_the_nth_week_once_it_is_over() -> None:
    signed_up = {"ana": MON, "bob": MON + timedelta(days=6), "cyd": MON + timedelta(days=7)}
    active = [
        ("ana", MON + timedelta(days=7)),  # week 1 of MON's cohort
        ("ana", MON + timedelta(days=9)),
        ("bob", MON + timedelta(days=29)),  # week 4
        ("cyd", MON + timedelta(days=14)),  # week 1 of the next cohort
        ("eve", MON + timedelta(days=7)),  # signed up before: in no cohort here
    ]
    today = MON + timedelta(days=28)  # week 4 of MON's cohort has begun, not ended
    first, second = cohorts(signed_up, active, today)
    assert (first.week, first.size, first.retained) == (MON, 2, {1: 1, 4: None})
    assert first.rate(1) == Decimal("0.5")
    assert first.rate(4) is None
    assert (second.week, second.size, second.retained) == (
        MON + timedelta(days=7),
        1,
        {1: 1, 4: None},
    )
    later = cohorts(signed_up, active, MON + timedelta(days=35))
    assert later[0].retained == {1: 1, 4: 1}


def test_a_cohort_is_named_by_the_monday_of_its_week() -> None:
    assert week_of(MON + timedelta(days=6)) == MON
    assert week_of(MON + timedelta(days=7)) == MON + timedelta(days=7)


sizes = st.decimals(min_value=-5, max_value=5, places=3, allow_nan=False)


@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), sizes, st.integers(0, 4))))
def test_open_interest_from_daily_changes_is_the_sum_of_the_positions(
    fills: list[tuple[str, Decimal, int]],
) -> None:
    """Each fill sets its account's position to a size on a day (days in order)."""
    positions: dict[str, Decimal] = {}
    changes: dict[date, Decimal] = {}
    ordered = sorted(fills, key=lambda fill: fill[2])
    for account, size, day_number in ordered:
        day = MON + timedelta(days=day_number)
        change = open_interest_change(positions.get(account, Decimal(0)), size)
        changes[day] = changes.get(day, Decimal(0)) + change
        positions[account] = size
    days = days_between(MON, MON + timedelta(days=4))
    found = levels(changes, Decimal(0), days)
    assert found[-1] == sum((abs(p) for p in positions.values()), Decimal(0))
    for day, level in zip(days, found, strict=True):
        held: dict[str, Decimal] = {}
        for account, size, day_number in ordered:
            if MON + timedelta(days=day_number) <= day:
                held[account] = size
        assert level == sum((abs(p) for p in held.values()), Decimal(0))
        assert level >= 0


def naive_active(pairs: list[tuple[str, date]], day: date, window: int) -> int:
    since = day - timedelta(days=window - 1)
    return len({trader for trader, active in pairs if since <= active <= day})


@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "c", "d"]), st.integers(0, 60)),
        max_size=40,
    )
)
def test_active_traders_equal_a_count_of_each_window(pairs: list[tuple[str, int]]) -> None:
    active = [(trader, MON + timedelta(days=n)) for trader, n in pairs]
    days = days_between(MON + timedelta(days=29), MON + timedelta(days=70))
    found = active_traders(active, days)
    for day in days:
        assert found[day] == ActiveTraders(
            naive_active(active, day, 1),
            naive_active(active, day, 7),
            naive_active(active, day, 30),
        )
