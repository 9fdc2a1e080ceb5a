"""Cross-margin arithmetic of the trading rules, over any (collateral, positions, orders) state."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal

from astratrade.shared.money import ZERO
from astratrade.trading.domain.markets import Market
from astratrade.trading.domain.orders import Order, OrderType
from astratrade.trading.domain.position import Position

Marks = Mapping[str, Decimal]
Markets = Mapping[str, Market]
Leverage = Mapping[str, Decimal]


@dataclass(frozen=True, slots=True)
class MarginSummary:
    collateral: Decimal
    unrealized_pnl: Decimal
    equity: Decimal
    initial_margin: Decimal
    maintenance_margin: Decimal
    order_margin: Decimal
    available: Decimal

    @property
    def margin_ratio(self) -> Decimal | None:
        """Maintenance over equity: 1 or more means liquidation. None with no equity left."""
        if self.equity <= ZERO:
            return None if self.maintenance_margin == ZERO else Decimal("Infinity")
        return self.maintenance_margin / self.equity


def unrealized_pnl(positions: Iterable[Position], marks: Marks) -> Decimal:
    return sum((p.size * (marks[p.market] - p.entry_price) for p in positions), ZERO)


def initial_margin(positions: Iterable[Position], marks: Marks, leverage: Leverage) -> Decimal:
    return sum((abs(p.size) * marks[p.market] / leverage[p.market] for p in positions), ZERO)


def maintenance_margin(positions: Iterable[Position], marks: Marks, markets: Markets) -> Decimal:
    total = ZERO
    for p in positions:
        notional = abs(p.size) * marks[p.market]
        total += notional * markets[p.market].tier_for(notional).maintenance_rate
    return total


def adding_sizes(orders: Iterable[Order], positions: Mapping[str, Position]) -> dict[str, Decimal]:
    """What each resting limit would add to exposure if it filled, by order id."""
    return {order.id: adding for order, adding in _adding(orders, positions)}


def _adding(
    orders: Iterable[Order], positions: Mapping[str, Position]
) -> Iterator[tuple[Order, Decimal]]:
    """A position covers opposite-side orders once, oldest first: two sells of 1 against a
    long of 1 reduce it by 1 and open a short of 1, so the second adds 1. Reduce-only
    orders and triggers never add."""
    cover = {market: abs(p.size) for market, p in positions.items()}
    for order in orders:
        if order.type is not OrderType.LIMIT or order.reduce_only or order.price is None:
            continue
        size = order.remaining
        position = positions.get(order.market)
        if position is not None and position.side_sign != order.side.sign:
            reducing = min(size, cover[order.market])
            cover[order.market] -= reducing
            size -= reducing
        yield order, size


def orders_reserve(
    orders: Iterable[Order], positions: Mapping[str, Position], leverage: Leverage
) -> Decimal:
    """Margin held by resting limit orders for what they would add to exposure, at their
    own price."""
    return sum(
        (
            size * (order.price or ZERO) / leverage[order.market]
            for order, size in _adding(orders, positions)
        ),
        ZERO,
    )


def summarize(
    collateral: Decimal,
    positions: Mapping[str, Position],
    orders: Iterable[Order],
    marks: Marks,
    markets: Markets,
    leverage: Leverage,
) -> MarginSummary:
    upnl = unrealized_pnl(positions.values(), marks)
    initial = initial_margin(positions.values(), marks, leverage)
    reserved = orders_reserve(orders, positions, leverage)
    equity = collateral + upnl
    return MarginSummary(
        collateral=collateral,
        unrealized_pnl=upnl,
        equity=equity,
        initial_margin=initial,
        maintenance_margin=maintenance_margin(positions.values(), marks, markets),
        order_margin=reserved,
        available=equity - initial - reserved,
    )


def equity_and_maintenance(
    collateral: Decimal, positions: Iterable[Position], marks: Marks, markets: Markets
) -> tuple[Decimal, Decimal]:
    """Just what the liquidation check needs, on every tick for every exposed account."""
    equity = collateral
    maintenance = ZERO
    for p in positions:
        mark = marks[p.market]
        equity += p.size * (mark - p.entry_price)
        notional = abs(p.size) * mark
        maintenance += notional * markets[p.market].tier_for(notional).maintenance_rate
    return equity, maintenance
