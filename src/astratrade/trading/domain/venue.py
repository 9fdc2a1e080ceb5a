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
from astratrade.trading.domain.errors import InsufficientMargin, InvalidOrder, OrderRejected
from astratrade.trading.domain.events import ShortfallCovered
from astratrade.trading.domain.exposure import (
    adding_part,
    available_after_fill,
    check_available,
    check_leverage,
    check_window_and_loss_limit,
)
from astratrade.trading.domain.margin import adding_sizes, summarize
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


def only_reduces(account: Account, order: Order, resting: bool) -> bool:
    """True when the order can only shrink the position. An order that fills now reduces
    what the position is now; one that rests counts the other resting limits on its side
    too, since they may fill before it."""
    position = account.positions.get(order.market)
    if position is None or position.side_sign == order.side.sign:
        return False
    claimed = ZERO
    if resting:
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


def check_reduces(order: Order, position: Position | None) -> None:
    """A reduce-only order needs a position on the other side; a stop or take-profit may not
    be larger than it (it would close at most the position anyway: a larger size is refused
    rather than silently capped, so the trader sees what it will do)."""
    closes = "long" if order.side is Side.SELL else "short"
    what = order.type.value if order.type.is_trigger else f"reduce_only {order.type.value} order"
    verb = "protects" if order.type.is_trigger else "reduces"
    if position is None or position.side_sign == order.side.sign:
        held = ""
        if position is not None:
            size = plain(abs(position.size))
            held = f" (your {order.market} position is a {_side_of(position)} of {size})"
        raise OrderRejected(
            f"a {order.side.value} {what} {verb} a {closes}; "
            f"you have no {closes} {order.market} position{held}"
        )
    if order.type.is_trigger and order.size > abs(position.size):
        raise InvalidOrder(
            "size",
            f"size {plain(order.size)} is larger than your {order.market} {closes} of "
            f"{plain(abs(position.size))}: a {order.type.value} closes at most the position, "
            "send its size or less",
        )


def _side_of(position: Position) -> str:
    return "long" if position.side_sign > 0 else "short"


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
    reduce-only sense, and for an order that can add exposure the window, the loss limit,
    leverage caps and margin."""
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
        check_reduces(order, position)
        return
    if only_reduces(account, order, resting):
        return
    check_window_and_loss_limit(account, order.created_at)
    market = venue.markets[order.market]
    mark = venue.marks[market.id]
    check_leverage(account, market, order.side, order.size, _sized_at(order, venue), unlocked)
    before = account.margin(venue.marks, venue.markets).available
    if resting:
        after = summarize(
            account.collateral,
            account.positions,
            [*account.open_orders.values(), order],
            venue.marks,
            venue.markets,
            account.leverage,
        ).available
    else:
        fill_price = taker_price(market, order.side, order.size, mark, venue.rules)
        after = available_after_fill(
            account, order, order.size, fill_price, venue.rules.taker_fee_rate,
            venue.marks, venue.markets,
        )  # fmt: skip
    check_available(before, after)


def _sized_at(order: Order, venue: Venue) -> Decimal:
    """The price the tier of the position an order leads to is judged at: the mark, or a
    limit's own price when that is higher (the position may open there)."""
    mark = venue.marks[order.market]
    if order.type is OrderType.LIMIT and order.price is not None:
        return max(order.price, mark)
    return mark


def _crosses(order: Order, mark: Decimal) -> bool:
    return order.type is OrderType.LIMIT and order.is_crossed_by(mark)


def execute(
    account: Account, order: Order, venue: Venue, settlement: Settlement, at: datetime,
    unlocked: Decimal,
) -> None:  # fmt: skip
    """Fill what fills now (market, marketable limit); rest, expire or leave the rest."""
    mark = venue.marks[order.market]
    if order.type is OrderType.MARKET or _crosses(order, mark):
        take(account, order, venue, settlement, at, unlocked)
    elif order.time_in_force is TimeInForce.IOC:
        account.end_order(order, OrderStatus.EXPIRED, "ioc order did not cross the mark", at)


def take(
    account: Account, order: Order, venue: Venue, settlement: Settlement, at: datetime,
    unlocked: Decimal,
) -> None:  # fmt: skip
    """Fill as a taker at the practice fill price for the size that fills; a marketable
    limit never worse than its limit."""
    market = venue.markets[order.market]

    def price(size: Decimal) -> Decimal:
        fill = taker_price(market, order.side, size, venue.marks[market.id], venue.rules)
        if order.type is not OrderType.LIMIT or order.price is None:
            return fill
        return min(fill, order.price) if order.side is Side.BUY else max(fill, order.price)

    fill_order(account, order, venue, settlement, price, Liquidity.TAKER, at, unlocked)


def make(
    account: Account, order: Order, venue: Venue, settlement: Settlement, at: datetime,
    unlocked: Decimal,
) -> None:  # fmt: skip
    """Fill a resting limit as a maker, at its own price."""
    limit = order.price if order.price is not None else venue.marks[order.market]
    fill_order(account, order, venue, settlement, lambda _: limit, Liquidity.MAKER, at, unlocked)


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
    unlocked: Decimal,
) -> None:
    """Fill an accepted order at price(size) (a reduce-only one at most down to flat).

    What the fill would add to exposure is judged again now, whatever was true when the
    order was placed: if it fails, only the part that reduces the position fills and the
    rest is cancelled with the reason."""
    size = fillable(account, order)
    if size == ZERO:
        account.end_order(order, OrderStatus.EXPIRED, "no position left to reduce", at)
        return
    rate = (
        venue.rules.maker_fee_rate if liquidity is Liquidity.MAKER else venue.rules.taker_fee_rate
    )
    refusal = None
    if not order.reduce_only:
        refusal = _refusal_at_fill(account, order, size, price(size), rate, venue, unlocked, at)
        if refusal is not None:
            size -= adding_part(account, order.market, order.side, size)
    if size > ZERO:
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
    if order.status is OrderStatus.OPEN and refusal is not None:
        account.end_order(order, OrderStatus.CANCELLED, refusal, at)
    elif order.status is OrderStatus.OPEN and order.reduce_only:
        account.end_order(order, OrderStatus.EXPIRED, "reduce-only remainder: position is flat", at)
    if size > ZERO:
        after_fill(account, venue, settlement, order.market, at, unlocked)


def _refusal_at_fill(
    account: Account, order: Order, size: Decimal, price: Decimal, fee_rate: Decimal,
    venue: Venue, unlocked: Decimal, at: datetime,
) -> str | None:  # fmt: skip
    """Why the fill may not add the exposure it would add now, or None when it may."""
    if adding_part(account, order.market, order.side, size) == ZERO:
        return None
    try:
        check_window_and_loss_limit(account, at)
        market = venue.markets[order.market]
        check_leverage(account, market, order.side, size, _sized_at(order, venue), unlocked)
        check_available(
            account.margin(venue.marks, venue.markets).available,
            available_after_fill(account, order, size, price, fee_rate, venue.marks, venue.markets),
        )
    except OrderRejected as refused:
        return f"not filled: {refused}"
    return None


def after_fill(
    account: Account, venue: Venue, settlement: Settlement, market: str, at: datetime,
    unlocked: Decimal,
) -> None:  # fmt: skip
    """A flat position takes its stops and take-profits with it; the market's resting
    limits that now add exposure are judged again; a flat, negative account is made whole
    (negative-balance protection)."""
    if market not in account.positions:
        for other in [o for o in account.open_orders.values() if o.market == market]:
            if other.reduce_only:
                account.end_order(other, OrderStatus.CANCELLED, "position closed", at)
    enforce_loss_limit(account, at)
    review_resting(account, venue, market, at, unlocked)
    cover_shortfall(account, settlement, at)


def review_resting(
    account: Account, venue: Venue, market: str, at: datetime, unlocked: Decimal
) -> None:
    """The position under the market's resting limits changed: each that would now add
    exposure must pass what it would have to pass if placed now, newest first, until
    margin is available again; the others are cancelled with the reason."""
    adding = adding_sizes(account.open_orders.values(), account.positions)
    newest_first = [
        o for o in reversed(account.open_orders.values())
        if o.market == market and adding.get(o.id, ZERO) > ZERO
    ]  # fmt: skip
    for order in newest_first:
        try:
            check_window_and_loss_limit(account, at)
            check_leverage(
                account, venue.markets[market], order.side, order.remaining,
                _sized_at(order, venue), unlocked,
            )  # fmt: skip
            available = account.margin(venue.marks, venue.markets).available
            if available < ZERO:
                raise InsufficientMargin(
                    f"the {market} position under it changed and the margin this order "
                    f"needs is not available (${plain(available.quantize(ZERO))} available)"
                )
        except OrderRejected as refused:
            account.end_order(order, OrderStatus.CANCELLED, str(refused), at)


def end_window(account: Account, at: datetime) -> bool:
    """A tournament account past its end keeps only orders that cannot add exposure."""
    window = account.window
    if window is None or at < window.closes_at or not account.open_orders:
        return False
    adding = adding_sizes(account.open_orders.values(), account.positions)
    ending = [o for o in account.open_orders.values() if adding.get(o.id, ZERO) > ZERO]
    for order in ending:
        account.end_order(order, OrderStatus.CANCELLED, "the tournament ended", at)
    return bool(ending)


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
