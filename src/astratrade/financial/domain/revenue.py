"""Subscription revenue: the charge's journal entry and the MRR, ARR and churn report
(pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from astratrade.financial.domain.ledger import EXTERNAL
from astratrade.financial.domain.subscriptions import PRICES, Plan
from astratrade.shared.money import ZERO, money

SUBSCRIPTION_REVENUE = "subscription-revenue"


def charge_moves(payload: Mapping[str, Any]) -> dict[str, Decimal]:
    """A collected charge: money in from outside, booked as subscription revenue."""
    amount = Decimal(str(payload["amount"]))
    return {EXTERNAL: -amount, SUBSCRIPTION_REVENUE: amount}


@dataclass(frozen=True, slots=True)
class RevenueReport:
    mrr: Decimal  # the monthly price of every paid subscription now
    arr: Decimal  # 12 x MRR
    subscribers: dict[str, int]  # paid plan -> how many
    churned: int  # paid subscriptions that ended in the window
    at_window_start: int  # paid subscriptions at the window's start
    churn_rate: Decimal  # churned / at_window_start (0 when there were none)


def revenue_report(active: Mapping[Plan, int], churned: int, started: int) -> RevenueReport:
    """`active`: paid subscriptions now per plan; `churned`: ended in the window; `started`:
    began in the window. Those at the window's start = active now + churned - started."""
    mrr = money(sum((PRICES[plan] * count for plan, count in active.items()), ZERO))
    at_start = max(sum(active.values()) + churned - started, 0)
    rate = (Decimal(churned) / at_start).quantize(Decimal("0.0001")) if at_start else ZERO
    return RevenueReport(
        mrr=mrr,
        arr=money(mrr * 12),
        subscribers={plan.value: active.get(plan, 0) for plan in (Plan.PRO, Plan.ELITE)},
        churned=churned,
        at_window_start=at_start,
        churn_rate=rate,
    )
