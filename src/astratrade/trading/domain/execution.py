"""How accepted orders fill on the practice venue: takers at the practice fill price,
resting limits as makers at their own, each fill's added exposure judged again; what follows
a fill (stops of a flat position, the loss limit, resting orders under a changed position,
negative-balance protection)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from astratrade.shared.money import ZERO, plain
from astratrade.trading.domain.account import Account
from astratrade.trading.domain.admission import crosses, sized_at
from astratrade.trading.domain.errors import InsufficientMargin, OrderRejected
from astratrade.trading.domain.events import ShortfallCovered
from astratrade.trading.domain.exposure import (
    adding_part,
    available_after_fill,
    check_available,
    check_leverage,
    check_window_and_loss_limit,
)
from astratrade.trading.domain.leader_fills import announce_leader_fill
from astratrade.trading.domain.margin import adding_sizes
from astratrade.trading.domain.orders import (
    Liquidity,
    Order,
    OrderStatus,
    OrderType,
    Side,
    TimeInForce,
)
from astratrade.trading.domain.pricing import taker_price
from astratrade.trading.domain.venue import SystemAccounts, Venue


def fill_against_mark(
    account: Account,
    order: Order,
    venue: Venue,
    system: SystemAccounts,
    at: datetime,
    unlocked: Decimal,
) -> None:
    """Fill what fills now (market, marketable limit); rest, expire or leave the rest."""
    mark = venue.marks[order.market]
    if order.type is OrderType.MARKET or crosses(order, mark):
        fill_as_taker(account, order, venue, system, at, unlocked)
    elif order.time_in_force is TimeInForce.IOC:
        account.expire_order(order, "ioc order did not cross the mark", at)


def fill_as_taker(
    account: Account,
    order: Order,
    venue: Venue,
    system: SystemAccounts,
    at: datetime,
    unlocked: Decimal,
) -> None:
    """Fill as a taker at the practice fill price for the size that fills; a marketable
    limit never worse than its limit."""
    market = venue.markets[order.market]

    def price(size: Decimal) -> Decimal:
        fill = taker_price(market, order.side, size, venue.marks[market.id], venue.rules)
        if order.type is not OrderType.LIMIT or order.price is None:
            return fill
        return min(fill, order.price) if order.side is Side.BUY else max(fill, order.price)

    fill_at_price(account, order, venue, system, price, Liquidity.TAKER, at, unlocked)


def fill_as_maker(
    account: Account,
    order: Order,
    venue: Venue,
    system: SystemAccounts,
    at: datetime,
    unlocked: Decimal,
) -> None:
    """Fill a resting limit as a maker, at its own price."""
    limit = order.price if order.price is not None else venue.marks[order.market]
    fill_at_price(account, order, venue, system, lambda _: limit, Liquidity.MAKER, at, unlocked)


def fillable(account: Account, order: Order) -> Decimal:
    """What of the order can fill now: all of it, or for reduce-only at most the position."""
    if not order.reduce_only:
        return order.remaining
    position = account.positions.get(order.market)
    if position is None or position.side_sign == order.side.sign:
        return ZERO
    return min(order.remaining, abs(position.size))


def fill_at_price(
    account: Account,
    order: Order,
    venue: Venue,
    system: SystemAccounts,
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
        account.expire_order(order, "no position left to reduce", at)
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
        system.house.adjust(fill.fee - fill.realized_pnl)
        if account.leading:
            announce_leader_fill(account, fill, venue.marks, venue.markets)
    if order.status is OrderStatus.OPEN and refusal is not None:
        account.cancel_order(order, refusal, at)
    elif order.status is OrderStatus.OPEN and order.reduce_only:
        account.expire_order(order, "reduce-only remainder: position is flat", at)
    if size > ZERO:
        after_fill(account, venue, system, order.market, at, unlocked)


def _refusal_at_fill(
    account: Account,
    order: Order,
    size: Decimal,
    price: Decimal,
    fee_rate: Decimal,
    venue: Venue,
    unlocked: Decimal,
    at: datetime,
) -> str | None:
    """Why the fill may not add the exposure it would add now, or None when it may."""
    if adding_part(account, order.market, order.side, size) == ZERO:
        return None
    try:
        check_window_and_loss_limit(account, at)
        market = venue.markets[order.market]
        check_leverage(account, market, order.side, size, sized_at(order, venue), unlocked)
        check_available(
            account.margin(venue.marks, venue.markets).available,
            available_after_fill(account, order, size, price, fee_rate, venue.marks, venue.markets),
        )
    except OrderRejected as refused:
        return f"not filled: {refused}"
    return None


def after_fill(
    account: Account,
    venue: Venue,
    system: SystemAccounts,
    market: str,
    at: datetime,
    unlocked: Decimal,
) -> None:
    """A flat position takes its stops and take-profits with it; the market's resting
    limits that now add exposure are judged again; a flat, negative account is made whole
    (negative-balance protection)."""
    if market not in account.positions:
        for other in [o for o in account.open_orders.values() if o.market == market]:
            if other.reduce_only:
                account.cancel_order(other, "position closed", at)
    enforce_loss_limit(account, at)
    review_resting(account, venue, market, at, unlocked)
    cover_shortfall(account, system, at)


def review_resting(
    account: Account, venue: Venue, market: str, at: datetime, unlocked: Decimal
) -> None:
    """The position under the market's resting limits changed: each that would now add
    exposure must pass what it would have to pass if placed now, newest first, until
    margin is available again; the others are cancelled with the reason."""
    adding = adding_sizes(account.open_orders.values(), account.positions)
    newest_first = [
        o
        for o in reversed(account.open_orders.values())
        if o.market == market and adding.get(o.id, ZERO) > ZERO
    ]
    for order in newest_first:
        try:
            check_window_and_loss_limit(account, at)
            check_leverage(
                account,
                venue.markets[market],
                order.side,
                order.remaining,
                sized_at(order, venue),
                unlocked,
            )
            available = account.margin(venue.marks, venue.markets).available
            if available < ZERO:
                raise InsufficientMargin(
                    f"the {market} position under it changed and the margin this order "
                    f"needs is not available (${plain(available.quantize(ZERO))} available)"
                )
        except OrderRejected as refused:
            account.cancel_order(order, str(refused), at)


def end_window(account: Account, at: datetime) -> bool:
    """A tournament account past its end keeps only orders that cannot add exposure."""
    window = account.window
    if window is None or at < window.closes_at or not account.open_orders:
        return False
    adding = adding_sizes(account.open_orders.values(), account.positions)
    ending = [o for o in account.open_orders.values() if adding.get(o.id, ZERO) > ZERO]
    for order in ending:
        account.cancel_order(order, "the tournament ended", at)
    return bool(ending)


def enforce_loss_limit(account: Account, at: datetime) -> None:
    """Once the day's losses reach the trader's limit, resting orders that could add
    exposure go too: only reducing is allowed until the next UTC day."""
    if not account.loss_limit_reached(at):
        return
    for order in [o for o in account.open_orders.values() if not o.reduce_only]:
        account.cancel_order(order, "daily loss limit reached", at)


def cover_shortfall(account: Account, system: SystemAccounts, at: datetime) -> None:
    if account.positions or account.collateral >= ZERO:
        return
    shortfall = -account.collateral
    from_insurance = min(shortfall, max(system.insurance.collateral, ZERO))
    from_house = shortfall - from_insurance
    system.insurance.adjust(-from_insurance)
    system.house.adjust(-from_house)
    account.settle(shortfall, at)
    account.record(
        ShortfallCovered(
            account_id=account.id,
            amount=shortfall,
            from_insurance=from_insurance,
            from_house=from_house,
        )
    )
