"""Trading's HTTP API: thin routes that turn requests into commands and views into JSON."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from astratrade.infrastructure.tokens import Claims
from astratrade.infrastructure.web.deps import Bus, CurrentUser, Db, signed_in
from astratrade.infrastructure.web.http import DecimalRoute
from astratrade.shared.errors import NotFound
from astratrade.trading import views
from astratrade.trading.api.schemas import (
    AccountOut,
    ActivityOut,
    ClosePositionIn,
    LeverageIn,
    LeverageOut,
    LossLimitIn,
    MarketOut,
    NewAccountIn,
    OrderIn,
    OrderOut,
    PositionOut,
    TierOut,
)
from astratrade.trading.domain.account import Account
from astratrade.trading.domain.commands import (
    CancelOrder,
    ClosePosition,
    OpenLiveAccount,
    PlaceOrder,
    SetDailyLossLimit,
    SetLeverage,
)
from astratrade.trading.domain.markets import Market
from astratrade.trading.domain.orders import OrderStatus
from astratrade.trading.engine import TradingEngine

router = APIRouter(prefix="/api/v1", route_class=DecimalRoute, tags=["trading"])


async def get_trading(request: Request) -> TradingEngine:
    engine: TradingEngine = request.app.state.trading
    return engine


Trading = Annotated[TradingEngine, Depends(get_trading)]


def market_out(
    market: Market, trading: TradingEngine, last_funding: views.FundingPaidView | None
) -> MarketOut:
    quote = trading.venue.quotes[market.id]
    rules = trading.venue.rules
    return MarketOut(
        market=market.id,
        tick_size=market.tick,
        step_size=market.step,
        min_size=market.min_size,
        max_market_order_value=market.max_market_order_value,
        max_limit_order_value=market.max_limit_order_value,
        risk_tiers=[
            TierOut(max_leverage=t.max_leverage, up_to_notional=t.up_to) for t in market.tiers
        ],
        mark_price=quote.mark,
        index_price=quote.index,
        price_time=quote.at,
        maker_fee_rate=rules.maker_fee_rate,
        taker_fee_rate=rules.taker_fee_rate,
        predicted_funding_rate=trading.schedule.predicted_rate(market.id),
        next_funding_at=trading.schedule.next_funding_at,
        last_funding_rate=last_funding.rate if last_funding else None,
        last_funding_at=last_funding.at if last_funding else None,
    )


# The order routes first: FastAPI tries a request against the routes in order, and most
# requests are orders (see entrypoints/app.py, whose router comes first).
@router.post("/orders", status_code=201, response_model=OrderOut)
async def place_order(
    body: OrderIn, user: Annotated[Claims, signed_in("orders")], bus: Bus
) -> OrderOut:
    order = await bus.execute(PlaceOrder(owner_id=user.user_id, **body.model_dump()))
    return OrderOut.model_validate(order)


@router.get("/orders", response_model=list[OrderOut])
async def list_orders(
    user: CurrentUser,
    trading: Trading,
    db: Db,
    account_id: str | None = None,
    status: OrderStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[OrderOut]:
    owned = await trading.queries.account_ids_of(user.user_id)
    ids = [i for i in owned if account_id in (None, i)]
    if account_id is not None and not ids:
        raise NotFound(f"account {account_id} not found")
    orders = await views.orders_of(db, ids, status.value if status else None, limit)
    return [OrderOut.model_validate(o) for o in orders]


@router.get("/orders/{order_id}", response_model=OrderOut)
async def get_order(order_id: str, user: CurrentUser, trading: Trading, db: Db) -> OrderOut:
    order = await views.order_by_id(db, order_id)
    owned = await trading.queries.account_ids_of(user.user_id)
    if order is None or order.account_id not in owned:
        raise NotFound(f"order {order_id} not found")
    return OrderOut.model_validate(order)


@router.delete("/orders/{order_id}", response_model=OrderOut)
async def cancel_order(order_id: str, user: CurrentUser, bus: Bus) -> OrderOut:
    order = await bus.execute(CancelOrder(owner_id=user.user_id, order_id=order_id))
    return OrderOut.model_validate(order)


@router.get("/markets", response_model=list[MarketOut])
async def list_markets(trading: Trading, db: Db) -> list[MarketOut]:
    """Every market's rules, prices, fee rates and funding."""
    paid = await views.last_fundings(db)
    return [market_out(m, trading, paid.get(m.id)) for m in trading.venue.markets.values()]


@router.get("/markets/{market}", response_model=MarketOut)
async def get_market(market: str, trading: Trading, db: Db) -> MarketOut:
    found = trading.venue.markets.get(market)
    if found is None:
        raise NotFound(f"market {market!r} is not listed")
    return market_out(found, trading, (await views.last_fundings(db)).get(market))


@router.get("/accounts", response_model=list[AccountOut])
async def list_accounts(user: CurrentUser, trading: Trading) -> list[AccountOut]:
    found = await trading.queries.account_views_of(user.user_id)
    return [AccountOut.model_validate(view) for view in found]


@router.post("/accounts", status_code=201, response_model=AccountOut)
async def open_account(
    _body: NewAccountIn, user: CurrentUser, bus: Bus, trading: Trading
) -> AccountOut:
    """Open the caller's live account: it needs level 3 earned in practice and a passed KYC
    check (403 says which is missing). Opening it again answers the same account."""
    account: Account = await bus.execute(OpenLiveAccount(owner_id=user.user_id))
    view = views.account_view(account, trading.venue, trading.clock.now())
    return AccountOut.model_validate(view)


@router.get("/accounts/{account_id}", response_model=AccountOut)
async def get_account(account_id: str, user: CurrentUser, trading: Trading) -> AccountOut:
    view = await trading.queries.owned_account_view(account_id, user.user_id)
    return AccountOut.model_validate(view)


@router.get("/accounts/{account_id}/activity", response_model=ActivityOut)
async def get_activity(account_id: str, user: CurrentUser, trading: Trading, db: Db) -> ActivityOut:
    """Fills, traded volume, fees, realized P&L, funding and liquidations of an account
    (a read model: it follows the account's events within moments)."""
    if await trading.queries.owner_of(account_id) != user.user_id:
        raise NotFound(f"account {account_id} not found")
    activity = await views.activity_of(db, account_id)
    return ActivityOut(account_id=account_id, **activity)


@router.put("/accounts/{account_id}/leverage", response_model=LeverageOut)
async def set_leverage(
    account_id: str, body: LeverageIn, user: CurrentUser, bus: Bus
) -> LeverageOut:
    command = SetLeverage(
        owner_id=user.user_id, account_id=account_id, market=body.market, leverage=body.leverage
    )
    account = await bus.execute(command)
    return LeverageOut(
        account_id=account.id, market=body.market, leverage=account.leverage[body.market]
    )


@router.put("/accounts/{account_id}/loss-limit", response_model=AccountOut)
async def set_loss_limit(
    account_id: str, body: LossLimitIn, user: CurrentUser, bus: Bus, trading: Trading
) -> AccountOut:
    """The trader's daily loss limit: once the day's realized losses reach it, orders that
    add exposure are refused until 00:00 UTC. Lowering it applies at once; raising or
    removing it is refused while today's limit is reached."""
    command = SetDailyLossLimit(
        owner_id=user.user_id, account_id=account_id, daily_loss_limit=body.daily_loss_limit
    )
    account = await bus.execute(command)
    view = views.account_view(account, trading.venue, trading.clock.now())
    return AccountOut.model_validate(view)


@router.get("/positions", response_model=list[PositionOut])
async def list_positions(account_id: str, user: CurrentUser, trading: Trading) -> list[PositionOut]:
    found = await trading.queries.position_views(account_id, user.user_id)
    return [PositionOut.model_validate(view) for view in found]


@router.post("/positions/{market}/close", response_model=OrderOut)
async def close_position(
    market: str, body: ClosePositionIn, user: CurrentUser, bus: Bus
) -> OrderOut:
    command = ClosePosition(owner_id=user.user_id, account_id=body.account_id, market=market)
    return OrderOut.model_validate(await bus.execute(command))
