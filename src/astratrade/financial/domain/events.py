"""Financial's events. Trading follows TransferRequested by type name and payload fields
(transfer_id, account_id, kind, amount), so those names are part of the public contract."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from astratrade.shared.messages import Event


@dataclass(frozen=True, kw_only=True)
class FinancialEvent(Event):
    context = "financial"


@dataclass(frozen=True, kw_only=True)
class TransferRequested(FinancialEvent):
    """Money asked to move into (faucet) or out of (withdrawal) a trading account. Trading
    applies it to the collateral, or refuses it (TransferRefused) if the account can no
    longer afford it; `requested` is what the trader asked, `amount` what is moved."""

    transfer_id: str
    account_id: str
    owner_id: str
    kind: str  # "faucet" or "withdrawal"
    amount: Decimal
    requested: Decimal


@dataclass(frozen=True, kw_only=True)
class SubscriptionChanged(FinancialEvent):
    """A trader's plan or its state changed (reason: started, upgraded, downgraded,
    cancelled, resumed, renewed, ended, unpaid). The limits travel with it: trading follows
    `open_orders`, gamification `tournaments_per_month`, social `copy_trading_slots`."""

    user_id: str
    plan: str
    reason: str
    at: datetime
    period_end: datetime | None
    cancel_at_period_end: bool
    monthly_price: Decimal
    open_orders: int
    tournaments_per_month: int
    copy_trading_slots: int


@dataclass(frozen=True, kw_only=True)
class SubscriptionCharged(FinancialEvent):
    """A subscription charge the payment port collected: on the ledger, from external to
    subscription revenue."""

    user_id: str
    charge_id: str
    amount: Decimal
    plan: str
    reason: str  # start, upgrade or renewal
    reference: str  # the payment port's reference
    charged_at: datetime
