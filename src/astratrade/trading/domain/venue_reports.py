"""What the live venue reports about a live account: its trades (our fills) and the final
states of its orders. Trading records them as its own events, each venue trade once (its
fill id is derived from the venue's trade id), and never records a fill the venue did not
report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from astratrade.trading.domain.orders import Side


@dataclass(frozen=True, slots=True)
class VenueFill:
    trade_id: int  # the venue's: one fill here per trade there
    external_id: str | None  # the order's external id (our client order id, or our id)
    market: str  # ours
    side: Side
    size: Decimal
    price: Decimal
    fee: Decimal
    is_taker: bool
    at: datetime

    @property
    def fill_id(self) -> str:
        return f"x10-{self.trade_id}"


@dataclass(frozen=True, slots=True)
class VenueFunding:
    """A funding payment the venue made on the account's position in a market."""

    payment_id: int  # the venue's: one funding payment here per payment there
    market: str  # ours
    payment: Decimal  # > 0: the account paid; < 0: it received
    rate: Decimal
    mark: Decimal
    at: datetime

    @property
    def record_id(self) -> str:
        return f"x10-funding-{self.payment_id}"


@dataclass(frozen=True, slots=True)
class VenueTransfer:
    """Money the trader moved between the venue's sub-account and the outside world (a
    deposit on the venue, a withdrawal from it): a transfer here too, never P&L."""

    operation_id: str  # the venue's: one transfer here per operation there
    amount: Decimal  # > 0: deposited; < 0: withdrawn
    at: datetime

    @property
    def record_id(self) -> str:
        return f"x10-transfer-{self.operation_id}"


VenuePayment = VenueFunding | VenueTransfer

# The ledger's account for the world outside the platform (a live venue, a bank).
OUTSIDE = "external"


class VenueOrderEnd(StrEnum):
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class VenueOrderState:
    """An order the venue has ended without (more) fills."""

    external_id: str
    end: VenueOrderEnd
    reason: str | None = None
