"""Trading's commands for copy accounts, each from one of copy trading's events (or, for
the leader's credit, trading's own ProfitShareDebited): docs/copytrading.md "Copies in
trading"."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from astratrade.shared.messages import Command
from astratrade.trading.domain.orders import Side


@dataclass(frozen=True, kw_only=True)
class MarkLeading(Command):
    """LeaderOptedIn / LeaderStopped: the leader's practice account (by id, or when the
    event names none, the owner's) leads or stops leading."""

    owner_id: str
    account_id: str | None
    leading: bool


@dataclass(frozen=True, kw_only=True)
class OpenCopyAccount(Command):
    """CopyStarted: open the copy account and fund it from the source, or refuse."""

    copy_id: str
    copy_account_id: str
    source_account_id: str
    owner_id: str
    allocation: Decimal
    max_loss: Decimal


@dataclass(frozen=True, kw_only=True)
class PlaceCopyOrder(Command):
    """LeaderFillCopied: a market order on the copy account, decision_id its client id."""

    copy_account_id: str
    decision_id: str
    market: str
    side: Side
    size: Decimal
    leverage: Decimal | None
    reduce_only: bool
    # False when a delivered batch's one read found no order of this decision written yet
    # (only the orders staged since are then looked at); None: not looked up.
    placed_before: bool | None = None


@dataclass(frozen=True, kw_only=True)
class CloseCopyPosition(Command):
    """CopyPositionClosed: the copy account's whole position in a market, at market."""

    copy_account_id: str
    decision_id: str
    market: str


@dataclass(frozen=True, kw_only=True)
class FlattenCopyAccount(Command):
    """CopyStopping: no more openings, no orders, every position closed."""

    copy_account_id: str


@dataclass(frozen=True, kw_only=True)
class DebitProfitShare(Command):
    """ProfitShareCharged (weekly): at most the collateral leaves for the leader."""

    copy_account_id: str
    leader_account_id: str
    amount: Decimal
    transfer_id: str


@dataclass(frozen=True, kw_only=True)
class CloseCopyAccount(Command):
    """CopyClosed: the final profit share out, the rest back to the source, account closed."""

    copy_account_id: str
    source_account_id: str
    leader_account_id: str | None
    profit_share: Decimal
    transfer_id: str  # of the final profit share


@dataclass(frozen=True, kw_only=True)
class CreditProfitShare(Command):
    """ProfitShareDebited: the leader's account receives what left the copy account."""

    leader_account_id: str
    amount: Decimal
    transfer_id: str
