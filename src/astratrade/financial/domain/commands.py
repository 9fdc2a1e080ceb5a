"""Financial's commands."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from astratrade.financial.domain.subscriptions import Plan
from astratrade.financial.domain.transfers import TransferKind
from astratrade.shared.messages import Command


@dataclass(frozen=True, kw_only=True)
class RequestTransfer(Command):
    """A trader asks to top a practice account up (faucet) or to withdraw from an account."""

    owner_id: str
    account_id: str
    kind: TransferKind
    amount: Decimal


@dataclass(frozen=True, kw_only=True)
class ChangePlan(Command):
    user_id: str
    plan: Plan


@dataclass(frozen=True, kw_only=True)
class CancelSubscription(Command):
    """Cancel at the period's end: the paid plan stays until then."""

    user_id: str
