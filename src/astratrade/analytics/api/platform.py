"""Platform analytics over HTTP, for admins: the platform's figures per UTC day of a range
(a trader is refused as on every admin route: 403)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from astratrade.analytics import views
from astratrade.analytics.domain.platform import RETENTION_WEEKS, ActiveTraders, Cohort
from astratrade.analytics.domain.platform_report import MarketDay, PlatformDay
from astratrade.infrastructure.web.deps import AdminUser, ClockDep, Db
from astratrade.infrastructure.web.http import DecimalRoute
from astratrade.infrastructure.web.schemas import DecimalOut
from astratrade.shared.errors import ValidationFailed

router = APIRouter(prefix="/api/v1", tags=["analytics"], route_class=DecimalRoute)
MAX_DAYS = 366  # a request covers at most this many days (a year, leap day included)
DEFAULT_DAYS = 30
# The days a range may name: the figures reach weeks around it (the month before for the
# active traders, the weeks after for retention), which must stay within the calendar.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)


class ActiveOut(BaseModel):
    daily: int
    weekly: int
    monthly: int

    @classmethod
    def of(cls, active: ActiveTraders) -> ActiveOut:
        return cls(daily=active.daily, weekly=active.weekly, monthly=active.monthly)


class MarketDayOut(BaseModel):
    market: str
    fills: int
    volume: DecimalOut  # USD: Σ size x price
    fees: DecimalOut
    copied_volume: DecimalOut
    liquidation_fills: int
    open_interest: DecimalOut  # base asset, at the day's close

    @classmethod
    def of(cls, m: MarketDay) -> MarketDayOut:
        return cls(
            market=m.market,
            fills=m.fills,
            volume=m.volume,
            fees=m.fees,
            copied_volume=m.copied_volume,
            liquidation_fills=m.liquidation_fills,
            open_interest=m.open_interest,
        )


class DayOut(BaseModel):
    day: date
    sign_ups: int
    active_traders: ActiveOut
    volume: DecimalOut
    fees: DecimalOut
    copied_volume: DecimalOut
    liquidations: int
    liquidation_fees: DecimalOut
    copies_started: int
    active_copies: int
    tournament_entrants: int
    mrr: DecimalOut
    markets: list[MarketDayOut]

    @classmethod
    def of(cls, d: PlatformDay) -> DayOut:
        return cls(
            day=d.day,
            sign_ups=d.sign_ups,
            active_traders=ActiveOut.of(d.active),
            volume=d.volume,
            fees=d.fees,
            copied_volume=d.copied_volume,
            liquidations=d.liquidations,
            liquidation_fees=d.liquidation_fees,
            copies_started=d.copies_started,
            active_copies=d.active_copies,
            tournament_entrants=d.tournament_entrants,
            mrr=d.mrr,
            markets=[MarketDayOut.of(m) for m in d.markets],
        )


class CohortOut(BaseModel):
    week: date  # the Monday of the sign-up week
    sign_ups: int
    week_1_retained: int | None  # None until that week is over
    week_1: DecimalOut | None  # a fraction: 0.25 is 25 %
    week_4_retained: int | None
    week_4: DecimalOut | None

    @classmethod
    def of(cls, c: Cohort) -> CohortOut:
        first, fourth = RETENTION_WEEKS
        return cls(
            week=c.week,
            sign_ups=c.size,
            week_1_retained=c.retained[first],
            week_1=c.rate(first),
            week_4_retained=c.retained[fourth],
            week_4=c.rate(fourth),
        )


class PlatformOut(BaseModel):
    start: date
    end: date
    days: list[DayOut]
    retention: list[CohortOut]


@router.get("/admin/analytics", response_model=PlatformOut)
async def platform_analytics(
    _admin: AdminUser,
    db: Db,
    clock: ClockDep,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> PlatformOut:
    """The platform's figures per UTC day from `from` to `to` (both included; by default
    the 30 days to today), and retention of the cohorts who signed up in those weeks."""
    for field, day in (("from", start), ("to", end)):
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise ValidationFailed(
                field, f"{day.isoformat()} is not a day from {FIRST_DAY} to {LAST_DAY}"
            )
    today = clock.now().date()
    end = end or (today if start is None else min(start + timedelta(DEFAULT_DAYS - 1), today))
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise ValidationFailed("from", f"from {start.isoformat()} is after to {end.isoformat()}")
    if (end - start).days + 1 > MAX_DAYS:
        raise ValidationFailed(
            "from",
            f"from {start.isoformat()} to {end.isoformat()} is {(end - start).days + 1} days, "
            f"at most {MAX_DAYS}",
        )
    found = await views.platform_report(db, start, end, today)
    return PlatformOut(
        start=found.start,
        end=found.end,
        days=[DayOut.of(d) for d in found.days],
        retention=[CohortOut.of(c) for c in found.cohorts],
    )
