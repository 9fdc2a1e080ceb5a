"""Which stop-losses guard a position: the facts progression reads (how long a position went
unprotected, the risk at its stop) follow them."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from astratrade.trading.domain.orders import Order, OrderType
from astratrade.trading.domain.position import Position


def guards(order: Order, position: Position) -> bool:
    """A stop-loss on the position's market that would close it (the other side)."""
    return (
        order.type is OrderType.STOP_LOSS
        and order.market == position.market
        and order.side.sign != position.side_sign
    )


def stop_trigger(position: Position, open_orders: Iterable[Order]) -> Decimal | None:
    """The trigger of the stop-loss guarding the position (the farthest from its entry,
    when several do), if any."""
    triggers = [o.trigger_price for o in open_orders if guards(o, position) and o.trigger_price]
    return max(triggers, key=lambda t: abs(position.entry_price - t), default=None)
