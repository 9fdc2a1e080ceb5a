"""Subscription rules: monthly periods, prorated upgrades and downgrades, cancellation at
the period's end, renewals by the clock, and the revenue report."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from itertools import count

import pytest
from hypothesis import given
from hypothesis import strategies as st

from astratrade.financial.domain.events import SubscriptionChanged, SubscriptionCharged
from astratrade.financial.domain.revenue import revenue_report
from astratrade.financial.domain.subscriptions import (
    MAX_RENEWALS_PER_CALL,
    PRICES,
    Plan,
    SameSubscription,
    Subscription,
    add_month,
    remaining_fraction,
)

START = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
ids = (f"c-{n}" for n in count())


def charged(sub: Subscription, at: datetime = START) -> list[D]:
    """Collect what is due as the embedded payment port does; the amounts charged."""
    amounts = [c.amount for c in sub.charges]
    for charge in sub.charges:
        sub.charged(charge, f"ref-{charge.charge_id}", at)
    sub.charges.clear()
    return amounts


def test_a_month_is_the_same_day_next_month_or_its_last_day() -> None:
    assert add_month(START) == datetime(2026, 2, 28, 12, 0, tzinfo=UTC)
    assert add_month(datetime(2026, 12, 15, tzinfo=UTC)) == datetime(2027, 1, 15, tzinfo=UTC)


def test_starting_pro_charges_the_month_in_advance() -> None:
    sub = Subscription("ann")
    sub.change(Plan.PRO, START, next(ids))
    assert charged(sub) == [D("14.99")]
    assert (sub.plan, sub.period_end) == (Plan.PRO, add_month(START))
    changed = [e for e in sub.pending_events if isinstance(e, SubscriptionChanged)]
    assert (changed[0].reason, changed[0].open_orders) == ("started", 50)


def test_an_upgrade_halfway_charges_half_the_difference() -> None:
    sub = Subscription("ann")
    start = datetime(2026, 3, 1, tzinfo=UTC)
    sub.change(Plan.PRO, start, next(ids))
    charged(sub)
    sub.change(Plan.ELITE, start + (add_month(start) - start) / 2, next(ids))
    assert charged(sub) == [D("17.50")]  # (49.99 - 14.99) / 2
    assert sub.plan is Plan.ELITE


def test_a_downgrade_credits_the_rest_and_the_next_charge_uses_it() -> None:
    sub = Subscription("ann")
    start = datetime(2026, 3, 1, tzinfo=UTC)
    sub.change(Plan.ELITE, start, next(ids))
    charged(sub)
    sub.change(Plan.PRO, start + (add_month(start) - start) / 2, next(ids))
    assert (sub.plan, sub.credit, charged(sub)) == (Plan.PRO, D("17.50"), [])
    sub.renew_due(add_month(start), lambda: next(ids))
    assert charged(sub) == []  # the credit paid the renewal
    assert sub.credit == D("2.51")  # 17.50 - 14.99
    sub.renew_due(add_month(add_month(start)), lambda: next(ids))
    assert charged(sub) == [D("12.48")]  # 14.99 - the 2.51 left


def test_cancelling_keeps_the_plan_until_the_period_ends_then_free() -> None:
    sub = Subscription("ann")
    sub.change(Plan.PRO, START, next(ids))
    charged(sub)
    sub.cancel(START + timedelta(days=3))
    assert (sub.plan, sub.cancel_at_period_end) == (Plan.PRO, True)
    with pytest.raises(SameSubscription):
        sub.cancel(START + timedelta(days=4))
    sub.renew_due(add_month(START) - timedelta(seconds=1), lambda: next(ids))
    assert sub.plan is Plan.PRO
    sub.renew_due(add_month(START), lambda: next(ids))
    assert (sub.plan, sub.ended_at, charged(sub)) == (Plan.FREE, add_month(START), [])


def test_resuming_before_the_end_renews_again() -> None:
    sub = Subscription("ann")
    sub.change(Plan.PRO, START, next(ids))
    charged(sub)
    sub.change(Plan.FREE, START, next(ids))  # free is a cancellation at the period's end
    sub.change(Plan.PRO, START + timedelta(days=1), next(ids))  # resumed, nothing charged
    assert (sub.cancel_at_period_end, charged(sub)) == (False, [])
    with pytest.raises(SameSubscription):
        sub.change(Plan.PRO, START + timedelta(days=2), next(ids))


def test_a_clock_that_jumped_months_renews_each_month_once() -> None:
    sub = Subscription("ann")
    sub.change(Plan.ELITE, START, next(ids))
    charged(sub)
    sub.renew_due(START + timedelta(days=95), lambda: next(ids))
    assert charged(sub) == [D("49.99")] * 3
    assert sub.period_start is not None
    assert sub.period_start <= START + timedelta(days=95) < sub.period_end  # type: ignore[operator]


def test_a_clock_that_jumped_centuries_renews_a_year_at_a_time() -> None:
    sub = Subscription("ann")
    sub.change(Plan.PRO, START, next(ids))
    charged(sub)
    far = datetime(9000, 1, 1, tzinfo=UTC)
    sub.renew_due(far, lambda: next(ids))
    assert charged(sub) == [D("14.99")] * MAX_RENEWALS_PER_CALL  # not 83,892 at once
    assert sub.period_end == datetime(2027, 3, 28, 12, tzinfo=UTC)  # 13 periods on
    sub.renew_due(far, lambda: next(ids))  # the next tick goes on from there
    assert sub.period_end == datetime(2028, 4, 28, 12, tzinfo=UTC)


moments = st.integers(min_value=0, max_value=31 * 86_400)


@given(plans=st.lists(st.tuples(st.sampled_from(list(Plan)), moments), max_size=12))
def test_charges_are_never_negative_and_never_exceed_a_month_of_elite_each(
    plans: list[tuple[Plan, int]],
) -> None:
    sub, now = Subscription("ann"), START
    for plan, seconds in sorted(plans, key=lambda p: p[1]):
        at = START + timedelta(seconds=seconds)
        sub.renew_due(at, lambda: next(ids))
        with contextlib.suppress(SameSubscription):
            sub.change(plan, at, next(ids))
        for amount in charged(sub, at):
            assert D(0) < amount <= PRICES[Plan.ELITE]
        assert sub.credit >= 0
        now = at
    paid = [e for e in sub.pending_events if isinstance(e, SubscriptionCharged)]
    assert all(e.amount == e.amount.quantize(D("0.000001")) for e in paid)
    assert now >= START


@given(seconds=moments)
def test_the_remaining_fraction_is_between_zero_and_one(seconds: int) -> None:
    end = add_month(START)
    fraction = remaining_fraction(START + timedelta(seconds=seconds), START, end)
    assert 0 <= fraction <= 1


def test_the_revenue_report() -> None:
    report = revenue_report({Plan.PRO: 10, Plan.ELITE: 2}, churned=3, started=5)
    assert (report.mrr, report.arr) == (D("249.88"), D("2998.56"))
    assert (report.at_window_start, report.churn_rate) == (10, D("0.3"))
    assert revenue_report({}, 0, 0).churn_rate == 0
