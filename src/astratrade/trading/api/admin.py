"""Admin routes of the practice venue: the manual price feed and the manual clock."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request

from astratrade.infrastructure.web.deps import AdminUser, Db
from astratrade.infrastructure.web.http import DecimalRoute
from astratrade.shared.clock import ManualClock
from astratrade.shared.errors import Conflict, NotFound, ValidationFailed
from astratrade.trading import views
from astratrade.trading.api import Trading, market_out
from astratrade.trading.api.schemas import ClockIn, ClockOut, MarketOut, PriceIn
from astratrade.trading.domain.prices import Quote

# A year per call is plenty for any scenario, and it bounds what one call makes fall due
# (funding hours, renewals, tournaments ending): the clock only moves forward, by `now` or
# by `advance_seconds` alike.
MAX_CLOCK_STEP_SECONDS = 366 * 24 * 3600
MAX_CLOCK_STEP = timedelta(seconds=MAX_CLOCK_STEP_SECONDS)

router = APIRouter(prefix="/api/v1/admin", route_class=DecimalRoute, tags=["admin"])


@router.post("/markets/{market}/price", response_model=MarketOut)
async def set_price(
    market: str, body: PriceIn, _admin: AdminUser, trading: Trading, request: Request, db: Db
) -> MarketOut:
    feed = request.app.state.settings.price_feed
    if feed != "manual":
        raise Conflict(f"prices come from the {feed} feed; start with ASTRATRADE_PRICE_FEED=manual")
    found = trading.venue.markets.get(market)
    if found is None:
        raise NotFound(f"market {market!r} is not listed")
    index = body.index if body.index is not None else body.mark
    for name, value in (("mark", body.mark), ("index", index)):
        found.check_price(value, name)
    quote = Quote(market, body.mark, index, trading.clock.now())
    await request.app.state.prices.apply([quote])  # here, and on every other replica
    return market_out(found, trading, (await views.last_fundings(db)).get(market))


@router.post("/clock", response_model=ClockOut)
async def set_clock(
    body: ClockIn, _admin: AdminUser, trading: Trading, request: Request
) -> ClockOut:
    """Move the manual clock; what falls due (funding, tournaments ending) runs before the
    answer."""
    clock = trading.clock
    if not isinstance(clock, ManualClock):
        raise Conflict("the clock is the system clock; start with ASTRATRADE_CLOCK=manual")
    if (body.now is None) == (body.advance_seconds is None):
        raise ValidationFailed("now", "send exactly one of now or advance_seconds")
    try:
        if body.now is not None:
            if body.now - clock.now() > MAX_CLOCK_STEP:
                raise ValidationFailed(
                    "now",
                    f"now may be at most {MAX_CLOCK_STEP.days} days after the clock's "
                    f"{clock.now().isoformat()}, was {body.now.isoformat()}",
                )
            clock.set(body.now)
        elif body.advance_seconds is not None:
            if not 0 <= body.advance_seconds <= MAX_CLOCK_STEP_SECONDS:
                raise ValidationFailed(
                    "advance_seconds",
                    f"advance_seconds must be between 0 and {MAX_CLOCK_STEP_SECONDS}, "
                    f"was {body.advance_seconds}",
                )
            micros = int(body.advance_seconds * 1_000_000)
            try:
                clock.set(clock.now() + timedelta(microseconds=micros))
            except OverflowError as error:
                raise ValidationFailed(
                    "advance_seconds", f"the clock cannot pass the year 9999 ({error})"
                ) from error
    except ValueError as error:
        raise ValidationFailed("now", str(error)) from error
    await request.app.state.prices.clock_moved()  # every other trading replica's too
    await request.app.state.platform.on_time()
    return ClockOut(now=clock.now())
