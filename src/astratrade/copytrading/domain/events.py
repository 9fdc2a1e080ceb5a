"""Copy trading's events. Every copy decision is one of them, so the copier's history shows
what happened to each leader fill and why; field names are the public contract."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from astratrade.shared.messages import Event


@dataclass(frozen=True, kw_only=True)
class CopyTradingEvent(Event):
    context = "copytrading"


@dataclass(frozen=True, kw_only=True)
class LeaderOptedIn(CopyTradingEvent):
    """profit_share: the fraction of copiers' profit above their high-water mark."""

    leader_id: str
    account_id: str
    profit_share: Decimal


@dataclass(frozen=True, kw_only=True)
class LeaderProfitShareChanged(CopyTradingEvent):
    """Applies to copies opened from now on; a running copy keeps the share it agreed to."""

    leader_id: str
    profit_share: Decimal


@dataclass(frozen=True, kw_only=True)
class LeaderStopped(CopyTradingEvent):
    """The leader stopped leading: each of their copies is to be stopped; account_id is the
    practice account trading stops publishing LeaderFilled for."""

    leader_id: str
    account_id: str


@dataclass(frozen=True, kw_only=True)
class CopyStarted(CopyTradingEvent):
    """A copy opened: allocation moves from the source account into the new copy account
    (a ledger entry); max_loss and profit_share are fractions of one."""

    copy_id: str
    copier_id: str
    leader_id: str
    copy_account_id: str
    source_account_id: str
    leader_account_id: str
    allocation: Decimal
    max_loss: Decimal
    profit_share: Decimal
    started_at: datetime


@dataclass(frozen=True, kw_only=True)
class LeaderFillCopied(CopyTradingEvent):
    """A copy order to place: action is open, increase or reduce; size is already on the
    market's step; leverage is min(leader's, copier's unlocked, tier cap)."""

    copy_id: str
    copier_id: str
    leader_id: str
    copy_account_id: str
    decision_id: str  # trading's client order id: a redelivery never doubles the order
    leader_fill_id: str
    market: str
    leader_size: Decimal  # the leader's fill
    leader_price: Decimal
    action: str
    side: str
    size: Decimal
    leverage: Decimal | None  # None on a reduction: it adds no margin
    reduce_only: bool


@dataclass(frozen=True, kw_only=True)
class LeaderFillSkipped(CopyTradingEvent):
    """A leader fill this copy does not follow; reason is a stable code, detail the figures."""

    copy_id: str
    copier_id: str
    leader_id: str
    copy_account_id: str
    leader_fill_id: str
    market: str
    leader_size: Decimal  # the leader's fill
    leader_price: Decimal
    reason: str
    detail: str


@dataclass(frozen=True, kw_only=True)
class CopyPositionClosed(CopyTradingEvent):
    """A reduce-only market order for the copy's whole position in a market; reason:
    leader_closed, leader_liquidated, stop_loss or copy_stopped."""

    copy_id: str
    copier_id: str
    leader_id: str
    copy_account_id: str
    decision_id: str  # trading's client order id: a redelivery never doubles the order
    leader_fill_id: str | None
    market: str
    side: str
    size: Decimal
    reason: str


@dataclass(frozen=True, kw_only=True)
class CopyStopping(CopyTradingEvent):
    """The copy stops (reason: by_copier, stop_loss, leader_stopped, blocked): it copies
    nothing more; its positions are being closed before its equity goes back."""

    copy_id: str
    copier_id: str
    leader_id: str
    copy_account_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class ProfitShareCharged(CopyTradingEvent):
    """amount moves from the copy account to the leader's account (a ledger entry);
    period: the ISO week a weekly settlement closes ("2026-W49"), or "final" (at
    the stop: CopyClosed carries that amount to trading)."""

    copy_id: str
    copier_id: str
    leader_id: str
    copy_account_id: str
    leader_account_id: str
    amount: Decimal
    cumulative_net_pnl: Decimal
    high_water_mark: Decimal
    period: str


@dataclass(frozen=True, kw_only=True)
class CopyClosed(CopyTradingEvent):
    """The copy ended: trading debits profit_share to leader_account_id, returns what is
    left in the copy account to the source account (ledger entries) and closes the copy
    account; reason: why it stopped (as CopyStopping, or funding_refused). `returned` is
    copy trading's figure from the collateral it was told of."""

    copy_id: str
    copier_id: str
    leader_id: str
    copy_account_id: str
    source_account_id: str
    leader_account_id: str
    profit_share: Decimal
    returned: Decimal
    reason: str
