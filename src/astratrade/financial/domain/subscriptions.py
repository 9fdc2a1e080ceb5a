"""Subscriptions: plans, their limits, monthly periods and proration (pure).

Free costs nothing; Pro and Elite are billed monthly in advance. An upgrade applies at once
and charges the price difference for the rest of the period; a downgrade between paid
plans applies at once and credits the difference for the rest of the period, which later
charges use first. Leaving for Free is a cancellation at the period's end: paid features
stay until then. Amounts are rounded once, by `money`."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from astratrade.financial.domain.events import SubscriptionChanged, SubscriptionCharged
from astratrade.shared.errors import Conflict
from astratrade.shared.messages import Aggregate
from astratrade.shared.money import ONE, ZERO, money


class Plan(StrEnum):
    FREE = "free"
    PRO = "pro"
    ELITE = "elite"


@dataclass(frozen=True, slots=True)
class Limits:
    """What each context that owns the resource enforces: trading the open orders per
    account, gamification the tournaments joined per UTC month, social the copy slots."""

    open_orders: int
    tournaments_per_month: int
    copy_trading_slots: int


PRICES: dict[Plan, Decimal] = {
    Plan.FREE: ZERO,
    Plan.PRO: Decimal("14.99"),
    Plan.ELITE: Decimal("49.99"),
}
LIMITS: dict[Plan, Limits] = {
    Plan.FREE: Limits(open_orders=10, tournaments_per_month=2, copy_trading_slots=0),
    Plan.PRO: Limits(open_orders=50, tournaments_per_month=10, copy_trading_slots=3),
    Plan.ELITE: Limits(open_orders=200, tournaments_per_month=50, copy_trading_slots=10),
}


# A year's periods and one more: a clock moved a year at once (the admin clock's largest
# step) renews in one call; a jump of years takes a few ticks, never one unbounded loop.
MAX_RENEWALS_PER_CALL = 13


def add_month(at: datetime) -> datetime:
    """The same day and time next month, on its last day when it has fewer days."""
    year, month = (at.year + 1, 1) if at.month == 12 else (at.year, at.month + 1)
    day = min(at.day, calendar.monthrange(year, month)[1])
    return at.replace(year=year, month=month, day=day)


def remaining_fraction(now: datetime, start: datetime, end: datetime) -> Decimal:
    """The share of the period still to come, 0..1, to the microsecond."""
    total = Decimal((end - start) // _MICROSECOND)
    left = Decimal((end - now) // _MICROSECOND)
    return min(max(left / total, ZERO), ONE) if total > 0 else ZERO


_MICROSECOND = datetime.resolution


def prorated(price_difference: Decimal, fraction: Decimal) -> Decimal:
    return money(price_difference * fraction)


class SameSubscription(Conflict):
    code = "subscription_unchanged"


@dataclass(frozen=True, slots=True)
class Charge:
    charge_id: str
    amount: Decimal
    reason: str  # start, upgrade or renewal


class Subscription(Aggregate):
    """One trader's subscription; a trader without one is on Free."""

    aggregate_type = "financial_subscription"

    def __init__(
        self,
        user_id: str,
        *,
        plan: Plan = Plan.FREE,
        period_start: datetime | None = None,
        period_end: datetime | None = None,
        cancel_at_period_end: bool = False,
        credit: Decimal = ZERO,
        paid_since: datetime | None = None,
        ended_at: datetime | None = None,
        version: int = 0,
    ) -> None:
        super().__init__(aggregate_id_of(user_id), version)
        self.user_id = user_id
        self.plan = plan
        self.period_start, self.period_end = period_start, period_end
        self.cancel_at_period_end = cancel_at_period_end
        self.credit = credit  # from downgrades: later charges use it first
        self.paid_since, self.ended_at = paid_since, ended_at
        self.charges: list[Charge] = []  # to collect, then record as paid

    @property
    def limits(self) -> Limits:
        return LIMITS[self.plan]

    def join(self, now: datetime) -> None:
        """A new trader starts on Free: announced, so every context knows their limits."""
        if self.version == 0 and not self.pending_events:
            self._changed("joined", now)

    def change(self, plan: Plan, now: datetime, charge_id: str) -> None:
        """Move to `plan`: see the module's rules."""
        if plan is Plan.FREE:
            self.cancel(now)
            return
        if plan is self.plan:
            if not self.cancel_at_period_end:
                raise SameSubscription(f"already on {plan.value}")
            self.cancel_at_period_end = False  # resumed: it renews again
            self._changed("resumed", now)
            return
        if self.plan is Plan.FREE:
            self.plan, self.period_start, self.period_end = plan, now, add_month(now)
            self.paid_since, self.ended_at = now, None
            self._charge(charge_id, PRICES[plan], "start")
            self._changed("started", now)
            return
        start, end = self.period_start or now, self.period_end or now  # set on a paid plan
        fraction = remaining_fraction(now, start, end)
        difference = PRICES[plan] - PRICES[self.plan]
        self.plan, self.cancel_at_period_end = plan, False
        if difference > 0:
            self._charge(charge_id, prorated(difference, fraction), "upgrade")
            self._changed("upgraded", now)
        else:
            self.credit += prorated(-difference, fraction)
            self._changed("downgraded", now)

    def cancel(self, now: datetime) -> None:
        if self.plan is Plan.FREE or self.cancel_at_period_end:
            raise SameSubscription("there is no paid subscription to cancel")
        self.cancel_at_period_end = True
        self._changed("cancelled", now)

    def renew_due(self, now: datetime, charge_ids: Callable[[], str]) -> None:
        """Every period that ended by `now`: renewed with a charge each, or ended (to Free)
        if cancelled. At most `MAX_RENEWALS_PER_CALL` at once: after a longer gap the next
        tick goes on where this one stopped."""
        for _ in range(MAX_RENEWALS_PER_CALL):
            if self.plan is Plan.FREE or self.period_end is None or self.period_end > now:
                return
            if self.cancel_at_period_end:
                ended = self.period_end
                self.plan, self.cancel_at_period_end, self.ended_at = Plan.FREE, False, ended
                self.period_start = self.period_end = None
                self._changed("ended", ended)
                return
            self.period_start, self.period_end = self.period_end, add_month(self.period_end)
            self._charge(charge_ids(), PRICES[self.plan], "renewal")
            self._changed("renewed", self.period_start)

    def end_unpaid(self, at: datetime) -> None:
        """A renewal the payment port could not collect: back to Free at once."""
        self.plan, self.cancel_at_period_end, self.ended_at = Plan.FREE, False, at
        self.period_start = self.period_end = None
        self.charges.clear()
        self._changed("unpaid", at)

    def _charge(self, charge_id: str, amount: Decimal, reason: str) -> None:
        used = min(self.credit, amount)
        self.credit -= used
        due = money(amount - used)
        if due > ZERO:
            self.charges.append(Charge(charge_id, due, reason))

    def charged(self, charge: Charge, reference: str, at: datetime) -> None:
        """The payment port collected it: on the ledger through this event."""
        self.record(
            SubscriptionCharged(
                user_id=self.user_id,
                charge_id=charge.charge_id,
                amount=charge.amount,
                plan=self.plan.value,
                reason=charge.reason,
                reference=reference,
                charged_at=at,
            )
        )

    def _changed(self, reason: str, at: datetime) -> None:
        limits = self.limits
        self.record(
            SubscriptionChanged(
                user_id=self.user_id,
                plan=self.plan.value,
                reason=reason,
                at=at,
                period_end=self.period_end,
                cancel_at_period_end=self.cancel_at_period_end,
                monthly_price=PRICES[self.plan],
                open_orders=limits.open_orders,
                tournaments_per_month=limits.tournaments_per_month,
                copy_trading_slots=limits.copy_trading_slots,
            )
        )


def aggregate_id_of(user_id: str) -> str:
    return f"subscription-{user_id}"
