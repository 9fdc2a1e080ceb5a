"""What a subscription announces to the other contexts (every change, with its reason and
limits; every charge collected, with what was paid) and the edges of its clock: a period
ends on its last moment, an unpaid renewal ends at once, a trader on Free never renews."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from astratrade.financial.domain.events import SubscriptionChanged, SubscriptionCharged
from astratrade.financial.domain.subscriptions import (
    Plan,
    SameSubscription,
    Subscription,
    add_month,
)

START = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


def changes(sub: Subscription) -> list[SubscriptionChanged]:
    return [e for e in sub.pending_events if isinstance(e, SubscriptionChanged)]


def paid_pro() -> Subscription:
    sub = Subscription("ann")
    sub.change(Plan.PRO, START, "c-start")
    sub.charges.clear()
    return sub


def test_a_new_trader_is_announced_on_free_once_with_free_limits() -> None:
    sub = Subscription("ann")
    sub.join(START)
    sub.join(START + timedelta(seconds=1))
    (joined,) = changes(sub)
    assert (joined.reason, joined.plan, joined.at) == ("joined", "free", START)
    assert (joined.open_orders, joined.tournaments_per_month, joined.copy_trading_slots) == (
        10,
        2,
        0,
    )
    known = Subscription("bob", version=3)  # loaded from the store: joined long ago
    known.join(START)
    assert changes(known) == []


def test_cancelling_is_announced_with_the_plan_kept_to_the_period_end() -> None:
    sub = paid_pro()
    sub.cancel(START + timedelta(days=2))
    last = changes(sub)[-1]
    assert (last.reason, last.at, last.plan) == ("cancelled", START + timedelta(days=2), "pro")
    assert (last.cancel_at_period_end, last.period_end) == (True, add_month(START))


def test_a_cancelled_subscription_ends_at_its_period_end_on_free() -> None:
    sub = paid_pro()
    sub.cancel(START + timedelta(days=2))
    sub.renew_due(add_month(START) + timedelta(days=9), lambda: "c-never")
    last = changes(sub)[-1]
    assert (last.reason, last.at, last.plan) == ("ended", add_month(START), "free")
    assert (last.cancel_at_period_end, last.period_end, last.monthly_price) == (False, None, 0)
    assert (sub.plan, sub.cancel_at_period_end, sub.ended_at) == (
        Plan.FREE,
        False,
        add_month(START),
    )
    assert (sub.period_start, sub.period_end, sub.charges) == (None, None, [])


def test_a_renewal_charges_the_plan_price_under_a_new_charge_id() -> None:
    sub = paid_pro()
    sub.renew_due(add_month(START), lambda: "c-renewal")
    (charge,) = sub.charges
    assert (charge.charge_id, charge.amount, charge.reason) == ("c-renewal", D("14.99"), "renewal")
    last = changes(sub)[-1]
    assert (last.reason, last.at) == ("renewed", add_month(START))


def test_free_or_periodless_subscriptions_never_renew() -> None:
    stale = Subscription("ann", plan=Plan.FREE, period_end=START)  # an old period, now free
    stale.renew_due(START + timedelta(days=90), lambda: "c-x")
    periodless = Subscription("bob", plan=Plan.PRO)
    periodless.renew_due(START + timedelta(days=90), lambda: "c-y")
    assert (stale.pending_events, periodless.pending_events) == ([], [])
    assert (stale.charges, periodless.charges) == ([], [])


def test_an_unpaid_renewal_ends_on_free_at_once_and_drops_its_charges() -> None:
    sub = paid_pro()
    sub.renew_due(add_month(START), lambda: "c-renewal")
    failed_at = add_month(START) + timedelta(minutes=1)
    sub.end_unpaid(failed_at)
    assert (sub.plan, sub.cancel_at_period_end, sub.ended_at) == (Plan.FREE, False, failed_at)
    assert (sub.period_start, sub.period_end, sub.charges) == (None, None, [])
    last = changes(sub)[-1]
    assert (last.reason, last.at, last.plan, last.period_end) == ("unpaid", failed_at, "free", None)


def test_a_collected_charge_is_announced_with_what_was_paid() -> None:
    sub = Subscription("ann")
    sub.change(Plan.ELITE, START, "c-start")
    (charge,) = sub.charges
    sub.charged(charge, "pay-77", START + timedelta(seconds=5))
    (event,) = [e for e in sub.pending_events if isinstance(e, SubscriptionCharged)]
    assert event == SubscriptionCharged(
        user_id="ann",
        charge_id="c-start",
        amount=D("49.99"),
        plan="elite",
        reason="start",
        reference="pay-77",
        charged_at=START + timedelta(seconds=5),
    )


def test_every_plan_change_is_announced_with_its_reason_and_moment() -> None:
    sub = Subscription("ann")
    moments = [START + timedelta(days=d) for d in range(5)]
    sub.change(Plan.PRO, moments[0], "c-1")
    sub.change(Plan.ELITE, moments[1], "c-2")
    sub.change(Plan.PRO, moments[2], "c-3")
    sub.change(Plan.FREE, moments[3], "c-4")
    sub.change(Plan.PRO, moments[4], "c-5")
    assert [(e.reason, e.at, e.user_id) for e in changes(sub)] == [
        ("started", moments[0], "ann"),
        ("upgraded", moments[1], "ann"),
        ("downgraded", moments[2], "ann"),
        ("cancelled", moments[3], "ann"),
        ("resumed", moments[4], "ann"),
    ]


def test_an_upgrade_charges_the_difference_under_its_own_charge_id() -> None:
    sub = paid_pro()
    sub.change(Plan.ELITE, START, "c-up")
    (charge,) = sub.charges
    assert (charge.charge_id, charge.amount, charge.reason) == ("c-up", D("35.00"), "upgrade")


def test_a_downgrade_adds_to_the_credit_already_held() -> None:
    sub = Subscription(
        "ann",
        plan=Plan.ELITE,
        period_start=START,
        period_end=add_month(START),
        credit=D(5),
    )
    sub.change(Plan.PRO, START, "c-down")
    assert sub.credit == D("40.00")  # 5 + (49.99 - 14.99) for the whole period


def test_a_subscription_is_stored_under_its_traders_id_with_what_it_was_loaded_with() -> None:
    sub = Subscription("ann", plan=Plan.PRO, period_end=START, cancel_at_period_end=True)
    assert (sub.id, sub.cancel_at_period_end) == ("subscription-ann", True)


def test_refusals_say_why() -> None:
    with pytest.raises(SameSubscription, match=r"^there is no paid subscription to cancel$"):
        Subscription("ann").cancel(START)
    with pytest.raises(SameSubscription, match=r"^already on pro$"):
        paid_pro().change(Plan.PRO, START, "c-again")
