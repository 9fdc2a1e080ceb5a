"""Orders on live accounts: checked here against the live venue's own market rules (read
from its markets endpoint, not ours) and the trader's unlocked leverage, before they are
signed and sent. The venue checks margin and balance itself; the practice engine never
fills them (their fills come from the venue)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from astratrade.shared.money import ZERO, plain
from astratrade.trading.domain.commands import PlaceOrder
from astratrade.trading.domain.errors import InvalidOrder, OrderRejected
from astratrade.trading.domain.orders import Order, OrderStatus, OrderType, TimeInForce


@dataclass(frozen=True, slots=True)
class VenueMarketRules:
    """One market as the live venue trades it: Extended's `tradingConfig`."""

    market: str  # our market id
    venue_market: str  # the venue's name for it
    min_size: Decimal  # minOrderSize
    size_step: Decimal  # minOrderSizeChange
    tick: Decimal  # minPriceChange
    max_leverage: Decimal  # maxLeverage


class VenueRefused(OrderRejected):
    """The venue refused the order (its own code and message kept for the trader)."""

    code = "venue_refused"

    def __init__(self, venue_code: int, message: str) -> None:
        super().__init__(f"Extended refused the order ({venue_code}): {message}")
        self.venue_code = venue_code


def check_live_order(
    cmd: PlaceOrder, rules: VenueMarketRules, leverage: Decimal, unlocked: Decimal
) -> None:
    """Refuse, naming the field, what the venue would refuse, and a leverage above
    min(unlocked, the venue's cap)."""
    if cmd.type not in (OrderType.MARKET, OrderType.LIMIT):
        raise InvalidOrder("type", "live accounts take market and limit orders only")
    if cmd.trigger_price is not None:
        raise InvalidOrder("trigger_price", "live accounts take no trigger orders yet")
    if cmd.size < rules.min_size:
        raise InvalidOrder(
            "size", f"{rules.venue_market} takes at least {plain(rules.min_size)} on Extended"
        )
    if cmd.size % rules.size_step != ZERO:
        raise InvalidOrder("size", f"must be a multiple of {plain(rules.size_step)} on Extended")
    if cmd.type is OrderType.LIMIT:
        if cmd.price is None:
            raise InvalidOrder("price", "price is required for a limit order")
        if cmd.price <= ZERO or cmd.price % rules.tick != ZERO:
            raise InvalidOrder(
                "price", f"must be a positive multiple of {plain(rules.tick)} on Extended"
            )
    elif cmd.price is not None:
        raise InvalidOrder("price", "price is only for limit orders")
    cap = min(unlocked, rules.max_leverage)
    if leverage > cap:
        raise OrderRejected(
            f"leverage {plain(leverage)}x in {cmd.market} is above {plain(cap)}x "
            f"(the lower of your unlocked leverage and Extended's cap); lower it first"
        )


def live_order(cmd: PlaceOrder, order_id: str, at: datetime) -> Order:
    """The order as trading keeps it: pending until the venue takes it, then open until the
    venue says what became of it."""
    return Order(
        id=order_id,
        account_id=cmd.account_id,
        market=cmd.market,
        side=cmd.side,
        type=cmd.type,
        size=cmd.size,
        price=cmd.price,
        trigger_price=None,
        reduce_only=cmd.reduce_only,
        time_in_force=TimeInForce.IOC if cmd.type is OrderType.MARKET else TimeInForce.GTC,
        client_order_id=cmd.client_order_id,
        created_at=at,
        status=OrderStatus.PENDING,
        updated_at=at,
    )


def external_id(order: Order) -> str:
    """The id the venue knows the order by: the trader's client order id (so a retry is
    the same order there too), else ours."""
    return order.client_order_id or order.id
