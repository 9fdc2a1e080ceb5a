"""Financial's events. Trading follows TransferRequested by type name and payload fields
(transfer_id, account_id, kind, amount), so those names are part of the public contract."""

from __future__ import annotations

from dataclasses import dataclass
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
