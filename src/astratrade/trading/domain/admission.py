"""What an account may place (docs/trading-rules.md): the open-order limits, reduce-only sense, and
for an order that can add exposure the tournament window, the loss limit, leverage caps and
margin (the checks themselves are in `exposure`)."""

from __future__ import annotations

from decimal import Decimal

from astratrade.shared.money import ZERO, plain
from astratrade.trading.domain.account import Account
from astratrade.trading.domain.errors import InvalidOrder, OrderRejected
from astratrade.trading.domain.exposure import (
    available_after_fill,
    check_available,
    check_leverage,
    check_window_and_loss_limit,
)
from astratrade.trading.domain.margin import summarize
from astratrade.trading.domain.orders import Order, OrderType, Side, TimeInForce
from astratrade.trading.domain.position import Position
from astratrade.trading.domain.pricing import taker_price
from astratrade.trading.domain.venue import Venue


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
    account: Account,
    order: Order,
    venue: Venue,
    unlocked: Decimal,
    plan_limit: tuple[str, int] | None = None,
) -> None:
    """Account rules: open-order limit (the venue's, or the trader's plan's when lower),
    reduce-only sense, and for an order that can add exposure the window, the loss limit,
    leverage caps and margin."""
    resting = _will_rest(order, venue.marks[order.market])
    if resting and plan_limit is not None and len(account.open_orders) >= plan_limit[1]:
        plan, most = plan_limit
        raise OrderRejected(
            f"the {plan} plan allows {most} open orders per account; a higher plan allows more"
        )
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
    check_leverage(account, market, order.side, order.size, sized_at(order, venue), unlocked)
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
            account,
            order,
            order.size,
            fill_price,
            venue.rules.taker_fee_rate,
            venue.marks,
            venue.markets,
        )
    check_available(before, after)


def sized_at(order: Order, venue: Venue) -> Decimal:
    """The price the tier of the position an order leads to is judged at: the mark, or a
    limit's own price when that is higher (the position may open there)."""
    mark = venue.marks[order.market]
    if order.type is OrderType.LIMIT and order.price is not None:
        return max(order.price, mark)
    return mark


def crosses(order: Order, mark: Decimal) -> bool:
    return order.type is OrderType.LIMIT and order.is_crossed_by(mark)
