"""The practice venue: validates orders against market and account rules and fills them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from astratrade.shared.ids import IdFactory
from astratrade.shared.money import ZERO, plain
from astratrade.trading.domain.account import Account
from astratrade.trading.domain.commands import PlaceOrder
from astratrade.trading.domain.errors import (
    InsufficientMargin,
    InvalidOrder,
    LossLimitReached,
    OrderRejected,
)
from astratrade.trading.domain.events import ShortfallCovered
from astratrade.trading.domain.margin import summarize
from astratrade.trading.domain.markets import Market
from astratrade.trading.domain.orders import (
    Liquidity,
    Order,
    OrderStatus,
    OrderType,
    Side,
    TimeInForce,
)
from astratrade.trading.domain.position import Position
from astratrade.trading.domain.prices import Quote
from astratrade.trading.domain.pricing import taker_price
from astratrade.trading.domain.rules import TradingRules


@dataclass(slots=True)
class Venue:
    """What every trading decision needs: markets, current marks, rules, time and ids."""

    markets: dict[str, Market]
    quotes: dict[str, Quote]
    rules: TradingRules
    ids: IdFactory
    marks: dict[str, Decimal] = field(init=False)

    def __post_init__(self) -> None:
        self.marks = {market: quote.mark for market, quote in self.quotes.items()}

    def update(self, quote: Quote) -> None:
        self.quotes[quote.market] = quote
        self.marks[quote.market] = quote.mark

    def market(self, market_id: str, field: str = "market") -> Market:
        market = self.markets.get(market_id)
        if market is None:
            listed = ", ".join(self.markets)
            raise InvalidOrder(field, f"market {market_id!r} is not listed; markets: {listed}")
        return market


@dataclass(frozen=True, slots=True)
class Settlement:
    """The practice venue's system accounts, the other side of every trader's money."""

    house: Account
    insurance: Account


def new_order(cmd: PlaceOrder, venue: Venue, at: datetime) -> Order:
    """Check an order against its market's rules and build it (not yet accepted)."""
    market = venue.market(cmd.market)
    market.check_size(cmd.size)
    mark = venue.marks[market.id]
    tif = cmd.time_in_force or TimeInForce.GTC
    if cmd.type is OrderType.LIMIT:
        if cmd.price is None:
            raise InvalidOrder("price", "price is required for a limit order")
        market.check_price(cmd.price)
        _check_value(cmd.size * cmd.price, market.max_limit_order_value, "limit")
    elif cmd.price is not None:
        raise InvalidOrder("price", f"price is only for limit orders, not {cmd.type.value}")
    if cmd.type.is_trigger:
        if cmd.trigger_price is None:
            raise InvalidOrder("trigger_price", f"trigger_price is required for {cmd.type.value}")
        market.check_price(cmd.trigger_price, "trigger_price")
    elif cmd.trigger_price is not None:
        raise InvalidOrder("trigger_price", "trigger_price is only for stop_loss and take_profit")
    if cmd.type is not OrderType.LIMIT:
        if not (cmd.reduce_only or cmd.type.is_trigger):  # reducing is always allowed
            _check_value(cmd.size * mark, market.max_market_order_value, "market")
        tif = TimeInForce.IOC if cmd.type is OrderType.MARKET else TimeInForce.GTC
    order = Order(
        id=venue.ids(),
        account_id=cmd.account_id,
        market=market.id,
        side=cmd.side,
        type=cmd.type,
        size=cmd.size,
        price=cmd.price,
        trigger_price=cmd.trigger_price,
        reduce_only=cmd.reduce_only or cmd.type.is_trigger,
        time_in_force=tif,
        client_order_id=cmd.client_order_id,
        created_at=at,
        updated_at=at,
    )
    if order.type.is_trigger and order.is_triggered_by(mark):
        raise InvalidOrder(
            "trigger_price",
            f"trigger_price {plain(cmd.trigger_price or ZERO)} would trigger at once: "
            f"{market.id} mark is {plain(mark)}",
        )
    return order


def _check_value(value: Decimal, limit: Decimal, kind: str) -> None:
    if value > limit:
        raise InvalidOrder(
            "size", f"order value ${plain(value)} exceeds the ${plain(limit)} {kind} order limit"
        )


def only_reduces(account: Account, order: Order) -> bool:
    """True when the order can only shrink the position, even if every other resting
    limit on its side fills first."""
    position = account.positions.get(order.market)
    if position is None or position.side_sign == order.side.sign:
        return False
    claimed = sum(
        (
            o.remaining
            for o in account.open_orders.values()
            if o.market == order.market
            and o.side is order.side
            and o.type is OrderType.LIMIT
            and not o.reduce_only
        ),
        ZERO,
    )
    return order.size + claimed <= abs(position.size)


def _will_rest(order: Order, mark: Decimal) -> bool:
    if order.type.is_trigger:
        return True
    return (
        order.type is OrderType.LIMIT
        and order.time_in_force is TimeInForce.GTC
        and not order.is_crossed_by(mark)
    )


def admit(
    account: Account, order: Order, venue: Venue, unlocked: Decimal,
    plan_limit: tuple[str, int] | None = None,
) -> None:  # fmt: skip
    """Account rules: open-order limit (the venue's, or the trader's plan's when lower),
    reduce-only sense, leverage caps and margin."""
    resting = _will_rest(order, venue.marks[order.market])
    if resting and plan_limit is not None and len(account.open_orders) >= plan_limit[1]:
        plan, most = plan_limit
        raise OrderRejected(f"the {plan} plan allows {most} open orders per account; "
                            "a higher plan allows more")  # fmt: skip
    if resting and len(account.open_orders) >= venue.rules.max_open_orders:
        raise OrderRejected(f"an account may hold {venue.rules.max_open_orders} open orders")
    window = account.window
    if window is not None and order.market not in window.markets:
        raise InvalidOrder(
            "market", f"this tournament account trades {', '.join(window.markets)} only"
        )
    position = account.positions.get(order.market)
    if order.reduce_only:
        if position is None or position.side_sign == order.side.sign:
            raise OrderRejected(
                f"reduce_only {order.side.value} order has no {order.market} position to reduce"
            )
        return
    if only_reduces(account, order):
        return
    if window is not None and not window.is_open(order.created_at):
        raise OrderRejected(
            f"this tournament account trades from {window.opens_at.isoformat()} "
            f"until {window.closes_at.isoformat()}; outside that, only reducing is allowed"
        )
    if account.loss_limit_reached(order.created_at):
        limit = account.daily_loss_limit or ZERO
        raise LossLimitReached(
            f"today's realized losses reached the ${plain(limit)} daily loss limit: "
            "only orders that reduce a position are accepted until 00:00 UTC"
        )
    market = venue.markets[order.market]
    price = order.price if order.type is OrderType.LIMIT and order.price else venue.marks[market.id]
    _check_leverage(account, order, market, price, unlocked)
    _check_margin(account, order, market, venue)


def _check_leverage(
    account: Account, order: Order, market: Market, price: Decimal, unlocked: Decimal
) -> None:
    size_after = account.positions[market.id].size if market.id in account.positions else ZERO
    size_after += order.size * order.side.sign
    notional = abs(size_after) * price
    cap = min(unlocked, market.tier_for(notional).max_leverage)
    leverage = account.leverage[market.id]
    if leverage > cap:
        raise OrderRejected(
            f"{market.id} leverage is {plain(leverage)}x but a ${plain(notional.quantize(ZERO))} "
            f"position allows at most {plain(cap)}x (unlocked {plain(unlocked)}x): lower it first"
        )


def _check_margin(account: Account, order: Order, market: Market, venue: Venue) -> None:
    before = account.margin(venue.marks, venue.markets)
    if order.type is OrderType.LIMIT and not _crosses(order, venue.marks[market.id]):
        after_available = summarize(
            account.collateral,
            account.positions,
            [*account.open_orders.values(), order],
            venue.marks,
            venue.markets,
            account.leverage,
        ).available
    else:
        fill_price = taker_price(
            market, order.side, order.size, venue.marks[market.id], venue.rules
        )
        after_available = _available_after_fill(account, order, fill_price, venue)
    if after_available < ZERO:
        raise InsufficientMargin(
            f"order needs ${plain((before.available - after_available).quantize(ZERO))} "
            f"more margin than the ${plain(before.available.quantize(ZERO))} available"
        )


def _available_after_fill(account: Account, order: Order, price: Decimal, venue: Venue) -> Decimal:
    positions = dict(account.positions)
    current = positions.get(order.market)
    hypothetical = Position(
        order.market,
        current.size if current else ZERO,
        current.entry_price if current else price,
        current.opened_at if current else order.created_at,
    )
    realized = hypothetical.apply(order.size * order.side.sign, price)
    positions[order.market] = hypothetical
    fee = order.size * price * venue.rules.taker_fee_rate
    return summarize(
        account.collateral + realized - fee,
        {m: p for m, p in positions.items() if p.size != ZERO},
        account.open_orders.values(),
        venue.marks,
        venue.markets,
        account.leverage,
    ).available


def _crosses(order: Order, mark: Decimal) -> bool:
    return order.type is OrderType.LIMIT and order.is_crossed_by(mark)


def execute(
    account: Account, order: Order, venue: Venue, settlement: Settlement, at: datetime
) -> None:
    """Fill what fills now (market, marketable limit); rest, expire or leave the rest."""
    mark = venue.marks[order.market]
    if order.type is OrderType.MARKET or _crosses(order, mark):
        take(account, order, venue, settlement, at)
    elif order.time_in_force is TimeInForce.IOC:
        account.end_order(order, OrderStatus.EXPIRED, "ioc order did not cross the mark", at)


def take(
    account: Account, order: Order, venue: Venue, settlement: Settlement, at: datetime
) -> None:
    """Fill as a taker at the practice fill price for the size that fills; a marketable
    limit never worse than its limit."""
    market = venue.markets[order.market]

    def price(size: Decimal) -> Decimal:
        fill = taker_price(market, order.side, size, venue.marks[market.id], venue.rules)
        if order.type is not OrderType.LIMIT or order.price is None:
            return fill
        return min(fill, order.price) if order.side is Side.BUY else max(fill, order.price)

    fill_order(account, order, venue, settlement, price, Liquidity.TAKER, at)


def make(
    account: Account, order: Order, venue: Venue, settlement: Settlement, at: datetime
) -> None:
    """Fill a resting limit as a maker, at its own price."""
    limit = order.price if order.price is not None else venue.marks[order.market]
    fill_order(account, order, venue, settlement, lambda _: limit, Liquidity.MAKER, at)


def fillable(account: Account, order: Order) -> Decimal:
    """What of the order can fill now: all of it, or for reduce-only at most the position."""
    if not order.reduce_only:
        return order.remaining
    position = account.positions.get(order.market)
    if position is None or position.side_sign == order.side.sign:
        return ZERO
    return min(order.remaining, abs(position.size))


def fill_order(
    account: Account,
    order: Order,
    venue: Venue,
    settlement: Settlement,
    price: Callable[[Decimal], Decimal],
    liquidity: Liquidity,
    at: datetime,
) -> None:
    """Fill an accepted order at price(size) (a reduce-only one at most down to flat)."""
    size = fillable(account, order)
    if size == ZERO:
        account.end_order(order, OrderStatus.EXPIRED, "no position left to reduce", at)
        return
    rate = (
        venue.rules.maker_fee_rate if liquidity is Liquidity.MAKER else venue.rules.taker_fee_rate
    )
    fill = account.fill(
        fill_id=venue.ids(),
        order=order,
        market=order.market,
        side=order.side,
        size=size,
        price=price(size),
        fee_rate=rate,
        liquidity=liquidity,
        at=at,
    )
    settlement.house.adjust(fill.fee - fill.realized_pnl)
    if order.status is OrderStatus.OPEN and order.reduce_only:
        account.end_order(order, OrderStatus.EXPIRED, "reduce-only remainder: position is flat", at)
    after_fill(account, settlement, order.market, at)


def after_fill(account: Account, settlement: Settlement, market: str, at: datetime) -> None:
    """A flat position takes its stops and take-profits with it; a flat, negative account
    is made whole (negative-balance protection)."""
    if market not in account.positions:
        for other in [o for o in account.open_orders.values() if o.market == market]:
            if other.reduce_only:
                account.end_order(other, OrderStatus.CANCELLED, "position closed", at)
    enforce_loss_limit(account, at)
    cover_shortfall(account, settlement, at)


def enforce_loss_limit(account: Account, at: datetime) -> None:
    """Once the day's losses reach the trader's limit, resting orders that could add
    exposure go too: only reducing is allowed until the next UTC day."""
    if not account.loss_limit_reached(at):
        return
    for order in [o for o in account.open_orders.values() if not o.reduce_only]:
        account.end_order(order, OrderStatus.CANCELLED, "daily loss limit reached", at)


def cover_shortfall(account: Account, settlement: Settlement, at: datetime) -> None:
    if account.positions or account.collateral >= ZERO:
        return
    shortfall = -account.collateral
    from_insurance = min(shortfall, max(settlement.insurance.collateral, ZERO))
    from_house = shortfall - from_insurance
    settlement.insurance.adjust(-from_insurance)
    settlement.house.adjust(-from_house)
    account.settle(shortfall, at)
    account.record(
        ShortfallCovered(
            account_id=account.id,
            amount=shortfall,
            from_insurance=from_insurance,
            from_house=from_house,
        )
    )
