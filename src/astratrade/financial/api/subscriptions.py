"""Subscriptions over HTTP: the caller's own (the user comes from the token, so nobody
can address another's), and the revenue report for admins."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select

from astratrade.financial.adapters.subscription_store import subscription_of
from astratrade.financial.adapters.tables import subscriptions
from astratrade.financial.domain.commands import CancelSubscription, ChangePlan
from astratrade.financial.domain.revenue import revenue_report
from astratrade.financial.domain.subscriptions import LIMITS, PRICES, Limits, Plan, Subscription
from astratrade.infrastructure.web.deps import AdminUser, Bus, ClockDep, CurrentUser, Db
from astratrade.infrastructure.web.http import DecimalRoute
from astratrade.infrastructure.web.schemas import DecimalOut

router = APIRouter(prefix="/api/v1", tags=["subscriptions"], route_class=DecimalRoute)
CHURN_WINDOW = timedelta(days=30)


class LimitsOut(BaseModel):
    open_orders: int  # per trading account
    tournaments_per_month: int  # joined per UTC month
    copy_trading_slots: int


class PlanOut(BaseModel):
    plan: str
    monthly_price: DecimalOut
    limits: LimitsOut


class SubscriptionOut(BaseModel):
    plan: str
    monthly_price: DecimalOut
    limits: LimitsOut
    period_start: datetime | None
    period_end: datetime | None  # when it renews, or ends if cancelled
    cancel_at_period_end: bool
    credit: DecimalOut  # from downgrades: later charges use it first
    plans: list[PlanOut]


class PlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    plan: Plan


class RevenueOut(BaseModel):
    mrr: DecimalOut
    arr: DecimalOut
    subscribers: dict[str, int]
    churn_window_days: int
    churned: int
    at_window_start: int
    churn_rate: DecimalOut  # a fraction: 0.05 is 5 %


def _limits(limits: Limits) -> LimitsOut:
    return LimitsOut(
        open_orders=limits.open_orders,
        tournaments_per_month=limits.tournaments_per_month,
        copy_trading_slots=limits.copy_trading_slots,
    )


def _out(sub: Subscription) -> SubscriptionOut:
    plans = [
        PlanOut(plan=p.value, monthly_price=PRICES[p], limits=_limits(LIMITS[p])) for p in Plan
    ]
    return SubscriptionOut(
        plan=sub.plan.value,
        monthly_price=PRICES[sub.plan],
        limits=_limits(sub.limits),
        period_start=sub.period_start,
        period_end=sub.period_end,
        cancel_at_period_end=sub.cancel_at_period_end,
        credit=sub.credit,
        plans=plans,
    )


@router.get("/subscription", response_model=SubscriptionOut)
async def mine(user: CurrentUser, db: Db) -> SubscriptionOut:
    """The caller's plan, its limits and period, and every plan on offer."""
    async with db.connect() as conn:
        return _out(await subscription_of(conn, user.user_id))


@router.put("/subscription", response_model=SubscriptionOut)
async def change(body: PlanIn, user: CurrentUser, bus: Bus) -> SubscriptionOut:
    """Upgrade (at once; the price difference for the rest of the period is charged now),
    downgrade between paid plans (at once; the difference is credited), or `free`: cancel
    at the period's end."""
    sub: Subscription = await bus.execute(ChangePlan(user_id=user.user_id, plan=body.plan))
    return _out(sub)


@router.delete("/subscription", response_model=SubscriptionOut)
async def cancel(user: CurrentUser, bus: Bus) -> SubscriptionOut:
    """Cancel at the period's end; PUT the same plan again before then to resume."""
    sub: Subscription = await bus.execute(CancelSubscription(user_id=user.user_id))
    return _out(sub)


@router.get("/admin/revenue", response_model=RevenueOut)
async def revenue(_admin: AdminUser, db: Db, clock: ClockDep) -> RevenueOut:
    """MRR and ARR from the paid subscriptions now; churn over the last 30 days."""
    since = clock.now() - CHURN_WINDOW
    s = subscriptions.c
    async with db.connect() as conn:
        paid = select(s.plan, func.count()).where(s.plan != Plan.FREE.value).group_by(s.plan)
        active = {Plan(plan): int(n) for plan, n in await conn.execute(paid)}
        churned = await conn.scalar(
            select(func.count()).where(s.plan == Plan.FREE.value, s.ended_at >= since)
        )
        started = await conn.scalar(select(func.count()).where(s.paid_since >= since))
    report = revenue_report(active, int(churned or 0), int(started or 0))
    return RevenueOut(
        mrr=report.mrr,
        arr=report.arr,
        subscribers=report.subscribers,
        churn_window_days=CHURN_WINDOW.days,
        churned=report.churned,
        at_window_start=report.at_window_start,
        churn_rate=report.churn_rate,
    )
