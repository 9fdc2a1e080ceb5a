"""Trading's events: the facts other contexts (ledger, progression, feed) build on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import ClassVar

from astratrade.shared.messages import Event


@dataclass(frozen=True, kw_only=True)
class TradingEvent(Event):
    context = "trading"


@dataclass(frozen=True, kw_only=True)
class AccountOpened(TradingEvent):
    account_id: str
    owner_id: str | None
    kind: str
    currency: str


@dataclass(frozen=True, kw_only=True)
class CollateralDeposited(TradingEvent):
    """Money entering an account; `source` is the account it came from (the house grant;
    `copy-transit` for a copy's allocation, return or profit share). `transfer_id` names
    the transfer behind it (financial's faucet top-up; a copy's id; a profit share's), if
    any."""

    account_id: str
    amount: Decimal
    source: str
    reason: str
    transfer_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class CollateralWithdrawn(TradingEvent):
    """Money leaving an account for `destination`: the house (practice) or external (live),
    by financial's transfer `transfer_id`; or `copy-transit` for a copy's allocation or
    return (reason `copy_allocation` / `copy_return`, transfer_id the copy's id)."""

    account_id: str
    amount: Decimal
    destination: str
    reason: str
    transfer_id: str


@dataclass(frozen=True, kw_only=True)
class TransferRefused(TradingEvent):
    """Financial's transfer could not be applied: the account cannot afford it any more (an
    order or a loss since it was asked), or cannot take it."""

    transfer_id: str
    account_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class LeverageSet(TradingEvent):
    account_id: str
    market: str
    leverage: Decimal


@dataclass(frozen=True, kw_only=True)
class OrderAccepted(TradingEvent):
    # v2: the account's owner, so its live channel needs no lookup of the account.
    schema_version: ClassVar[int] = 2

    order_id: str
    account_id: str
    owner_id: str | None
    market: str
    side: str
    type: str
    size: Decimal
    price: Decimal | None
    trigger_price: Decimal | None
    reduce_only: bool
    time_in_force: str
    client_order_id: str | None


@dataclass(frozen=True, kw_only=True)
class OrderFilled(TradingEvent):
    """One fill. Collateral moved by realized_pnl - fee; the house took the other side, or,
    when venue is set ("extended"), the live venue did: the fill is the venue's trade."""

    fill_id: str
    order_id: str | None
    account_id: str
    owner_id: str | None
    market: str
    side: str
    size: Decimal
    price: Decimal
    fee: Decimal
    liquidity: str
    realized_pnl: Decimal
    position_size: Decimal
    position_entry_price: Decimal
    venue: str | None = None


@dataclass(frozen=True, kw_only=True)
class OrderCancelled(TradingEvent):
    """An order left the book without filling in full: status is "cancelled" (by the trader
    or a rule) or "expired" (an IOC that did not cross, a reduce-only order with nothing left
    to reduce); reason says why."""

    # v2: the account's owner, so its live channel needs no lookup of the account.
    schema_version: ClassVar[int] = 2

    order_id: str
    account_id: str
    owner_id: str | None
    status: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class OrderTriggered(TradingEvent):
    # v2: the account's owner, so its live channel needs no lookup of the account.
    schema_version: ClassVar[int] = 2

    order_id: str
    account_id: str
    owner_id: str | None
    mark: Decimal


@dataclass(frozen=True, kw_only=True)
class DailyLossLimitSet(TradingEvent):
    """The trader's daily loss limit for the account (None: no limit)."""

    account_id: str
    daily_loss_limit: Decimal | None


@dataclass(frozen=True, kw_only=True)
class PositionClosed(TradingEvent):
    # v2: the account's kind and the facts of its protection, for progression.
    # v3: the account's collateral and week results after the close, for the ROI boards.
    schema_version: ClassVar[int] = 3

    account_id: str
    owner_id: str | None
    market: str
    opened_at: datetime
    realized_pnl: Decimal
    liquidated: bool
    account_kind: str
    equity_at_open: Decimal
    unprotected_seconds: Decimal  # its longest stretch without a stop-loss
    risk_at_stop: Decimal | None  # |entry - stop trigger| x size when the stop was set
    collateral: Decimal
    week_pnl: Decimal  # P&L of the week so far, deposits excluded
    week_capital: Decimal  # collateral at the week's start plus the week's deposits


@dataclass(frozen=True, kw_only=True)
class FundingPaid(TradingEvent):
    """payment > 0: the account paid the house; < 0: it received. With `venue` set
    ("extended"), the live venue paid or charged it: the other side is the outside world."""

    account_id: str
    market: str
    rate: Decimal
    mark: Decimal
    position_size: Decimal
    payment: Decimal
    venue: str | None = None


@dataclass(frozen=True, kw_only=True)
class AccountLiquidated(TradingEvent):
    # v2: the account's kind, collateral and week results after it (fees and cover included).
    schema_version: ClassVar[int] = 2

    account_id: str
    owner_id: str | None
    markets: list[str]
    equity_before: Decimal
    maintenance_before: Decimal
    liquidation_fee: Decimal
    account_kind: str
    collateral: Decimal
    week_pnl: Decimal
    week_capital: Decimal


@dataclass(frozen=True, kw_only=True)
class ShortfallCovered(TradingEvent):
    """Negative-balance protection: the insurance fund (then the house) zeroes the account."""

    account_id: str
    amount: Decimal
    from_insurance: Decimal
    from_house: Decimal


# -- copy trading's accounts (issue 22: docs/copytrading.md "Copies in trading") -----------


@dataclass(frozen=True, kw_only=True)
class LeaderFilled(TradingEvent):
    """A fill of a leading practice account, for copy trading to follow. position_before is
    signed; equity is the account's right after the fill at the marks; leverage its
    setting in the market; liquidation: the fill of a liquidation."""

    fill_id: str
    account_id: str
    owner_id: str | None
    market: str
    side: str
    size: Decimal
    price: Decimal
    position_before: Decimal
    equity: Decimal
    leverage: Decimal
    liquidation: bool


@dataclass(frozen=True, kw_only=True)
class CopyAccountFunded(TradingEvent):
    """The copy account was opened and the allocation moved into it from the source."""

    copy_id: str
    copy_account_id: str
    source_account_id: str
    owner_id: str
    amount: Decimal


@dataclass(frozen=True, kw_only=True)
class CopyFundingRefused(TradingEvent):
    """The source account could not fund the copy: nothing was opened."""

    copy_id: str
    copy_account_id: str
    source_account_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class CopyOrderRefused(TradingEvent):
    """Copy trading's order was refused by trading's rules: code and message as the API
    would answer them."""

    copy_id: str
    copy_account_id: str
    decision_id: str
    market: str
    code: str
    message: str


@dataclass(frozen=True, kw_only=True)
class CopyStopLossReached(TradingEvent):
    """The copy account's equity fell to its floor: its positions are closed already and it
    takes no more openings."""

    copy_id: str
    copy_account_id: str
    equity: Decimal
    floor: Decimal


@dataclass(frozen=True, kw_only=True)
class CopyAccountFlattened(TradingEvent):
    """The stopping copy account holds no position and no order: collateral is all it has."""

    copy_id: str
    copy_account_id: str
    collateral: Decimal


@dataclass(frozen=True, kw_only=True)
class ProfitShareDebited(TradingEvent):
    """amount left the copy account for the leader's (in transit until trading credits the
    leader's account with a CollateralDeposited of this transfer_id)."""

    copy_id: str
    copy_account_id: str
    leader_account_id: str
    amount: Decimal
    transfer_id: str
