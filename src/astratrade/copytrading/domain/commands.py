"""Instructions to copy trading (from its API and from the events it follows). `user_id` is
always the caller; amounts and rates are Decimals, fractions of one (0.1 is 10 %)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from astratrade.shared.messages import Command


@dataclass(frozen=True, kw_only=True)
class OptInAsLeader(Command):
    user_id: str
    profit_share: Decimal | None = None  # the default (10 %) when not given


@dataclass(frozen=True, kw_only=True)
class SetProfitShare(Command):
    user_id: str
    profit_share: Decimal


@dataclass(frozen=True, kw_only=True)
class StopLeading(Command):
    user_id: str


@dataclass(frozen=True, kw_only=True)
class StartCopy(Command):
    user_id: str
    leader: str  # the leader's username
    allocation: Decimal
    max_loss: Decimal | None = None  # the default (50 %) when not given


@dataclass(frozen=True, kw_only=True)
class StopCopy(Command):
    user_id: str
    copy_id: str
