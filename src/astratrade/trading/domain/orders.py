"""Orders and fills."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from astratrade.shared.money import ZERO


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"

    @property
    def sign(self) -> int:
        return 1 if self is Side.BUY else -1

    @property
    def opposite(self) -> Side:
        return Side.SELL if self is Side.BUY else Side.BUY


class OrderType(StrEnum):
    MARKET = "market"
    LIMIT = "limit"
    STOP_LOSS = "stop_loss"
    TAKE_PROFIT = "take_profit"

    @property
    def is_trigger(self) -> bool:
        return self in (OrderType.STOP_LOSS, OrderType.TAKE_PROFIT)


class TimeInForce(StrEnum):
    GTC = "gtc"
    IOC = "ioc"


class OrderStatus(StrEnum):
    OPEN = "open"  # resting limit, or a stop/take-profit waiting for its trigger
    FILLED = "filled"
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # ioc remainder, or a trigger order with nothing left to reduce
    # A live order recorded before it is sent to the venue, until the venue answers; it
    # takes the venue's fills meanwhile, like an open one.
    PENDING = "pending"
    REJECTED = "rejected"  # a live order the venue refused, or never received

    @property
    def is_final(self) -> bool:
        return self not in (OrderStatus.OPEN, OrderStatus.PENDING)


class Liquidity(StrEnum):
    MAKER = "maker"
    TAKER = "taker"
    LIQUIDATION = "liquidation"


@dataclass(frozen=True, slots=True)
class Fill:
    id: str
    order_id: str | None  # None for liquidation closes, which no order of the trader placed
    account_id: str
    market: str
    side: Side
    size: Decimal
    price: Decimal
    fee: Decimal
    liquidity: Liquidity
    realized_pnl: Decimal
    at: datetime


@dataclass(slots=True)
class Order:
    id: str
    account_id: str
    market: str
    side: Side
    type: OrderType
    size: Decimal
    price: Decimal | None
    trigger_price: Decimal | None
    reduce_only: bool
    time_in_force: TimeInForce
    client_order_id: str | None
    created_at: datetime
    status: OrderStatus = OrderStatus.OPEN
    filled_size: Decimal = ZERO
    average_price: Decimal | None = None
    updated_at: datetime | None = None
    reason: str | None = None
    fills: list[Fill] = field(default_factory=list)

    @property
    def remaining(self) -> Decimal:
        return self.size - self.filled_size

    def record_fill(self, fill: Fill) -> None:
        notional = (self.average_price or ZERO) * self.filled_size + fill.price * fill.size
        self.filled_size += fill.size
        self.average_price = notional / self.filled_size
        self.fills.append(fill)
        self.updated_at = fill.at
        if self.remaining == ZERO:
            self.status = OrderStatus.FILLED

    def close(self, status: OrderStatus, reason: str, at: datetime) -> None:
        self.status = status
        self.reason = reason
        self.updated_at = at

    def is_triggered_by(self, mark: Decimal) -> bool:
        """Stops trigger against the position they protect; take-profits toward profit."""
        if self.trigger_price is None:
            return False
        # A sell stop protects a long: it fires when mark falls to the trigger.
        falls = (self.type is OrderType.STOP_LOSS) == (self.side is Side.SELL)
        return mark <= self.trigger_price if falls else mark >= self.trigger_price

    def is_crossed_by(self, mark: Decimal) -> bool:
        """A resting limit fills when mark reaches its price."""
        if self.price is None:
            return False
        return mark <= self.price if self.side is Side.BUY else mark >= self.price
