"""The checks an order's added exposure must pass, wherever it can add some: when it is
placed, when the position under a resting order changes, and when it fills (docs/trading-rules.md).

An order that only reduces a position needs none of them. Whatever would open or grow a
position must find the tournament window open, the daily loss limit not reached, the
market's leverage within the cap for the position it leads to, and margin available
after it. Each check raises the error a trader sees at placement; a resting order that
fails one later is cancelled with that error's message as the reason."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from astratrade.shared.money import ZERO, money, plain
from astratrade.trading.domain.account import Account
from astratrade.trading.domain.errors import InsufficientMargin, LossLimitReached, OrderRejected
from astratrade.trading.domain.margin import Markets, Marks, summarize
from astratrade.trading.domain.markets import Market
from astratrade.trading.domain.orders import Order, Side
from astratrade.trading.domain.position import Position
from astratrade.trading.domain.pricing import fee as fee_for


def adding_part(account: Account, market: str, side: Side, size: Decimal) -> Decimal:
    """How much of a fill of `size` on `side` opens or grows a position (0: it only reduces)."""
    position = account.positions.get(market)
    if position is None or position.side_sign == side.sign:
        return size
    return max(size - abs(position.size), ZERO)


def check_window_and_loss_limit(account: Account, at: datetime) -> None:
    window = account.window
    if window is not None and not window.is_open(at):
        raise OrderRejected(
            f"this tournament account trades from {window.opens_at.isoformat()} "
            f"until {window.closes_at.isoformat()}; outside that, only reducing is allowed"
        )
    if account.loss_limit_reached(at):
        limit = account.daily_loss_limit or ZERO
        raise LossLimitReached(
            f"today's realized losses reached the ${plain(limit)} daily loss limit: "
            "only orders that reduce a position are accepted until 00:00 UTC"
        )


def check_leverage(
    account: Account,
    market: Market,
    side: Side,
    size: Decimal,
    price: Decimal,
    unlocked: Decimal,
) -> None:
    """The market's leverage setting within min(unlocked, the tier cap of the position the
    order leads to)."""
    position = account.positions.get(market.id)
    size_after = (position.size if position else ZERO) + size * side.sign
    notional = abs(size_after) * price
    cap = min(unlocked, market.tier_for(notional).max_leverage)
    leverage = account.leverage[market.id]
    if leverage > cap:
        raise OrderRejected(
            f"{market.id} leverage is {plain(leverage)}x but a ${plain(notional.quantize(ZERO))} "
            f"position allows at most {plain(cap)}x (unlocked {plain(unlocked)}x): lower it first"
        )


def check_available(before: Decimal, after: Decimal) -> None:
    """Available must stay ≥ 0: the message names what the order takes (before - after) and
    the shortfall (-after), the amount the trader would have to find. When available is
    below 0 already (a resting order's fill, after losses to the mark), what the order
    takes may be less than its reservation gives back, so only the shortfall is named."""
    if after >= ZERO:
        return
    short = plain((-after).quantize(ZERO))
    if before < ZERO:
        raise InsufficientMargin(
            f"available margin is ${plain(before.quantize(ZERO))} already: "
            f"the order would leave it ${short} short"
        )
    raise InsufficientMargin(
        f"order needs ${plain((before - after).quantize(ZERO))} of margin and fee: "
        f"${short} more than the ${plain(before.quantize(ZERO))} available"
    )


def available_after_fill(
    account: Account,
    order: Order,
    size: Decimal,
    price: Decimal,
    fee_rate: Decimal,
    marks: Marks,
    markets: Markets,
) -> Decimal:
    """Available margin once `size` of the order fills at `price`: the position moved, its
    realized P&L and fee paid (rounded as the fill rounds them), and the order's own
    reservation held only for what is left of it."""
    positions = dict(account.positions)
    current = positions.get(order.market)
    hypothetical = Position(
        order.market,
        current.size if current else ZERO,
        current.entry_price if current else price,
        current.opened_at if current else order.created_at,
    )
    realized = money(hypothetical.apply(size * order.side.sign, price))
    positions[order.market] = hypothetical
    left = replace(order, filled_size=order.filled_size + size, fills=[])
    orders = [left if o.id == order.id else o for o in account.open_orders.values()]
    if order.id not in account.open_orders:  # being placed: not resting yet
        orders.append(left)
    return summarize(
        account.collateral + realized - fee_for(size * price, fee_rate),
        {m: p for m, p in positions.items() if p.size != ZERO},
        orders,
        marks,
        markets,
        account.leverage,
    ).available
