"""What a leader fill becomes in one copy: a copied order, a skip with its reason, or a
close with its reason. Each is a value the Copy aggregate turns into an event."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Action(StrEnum):
    OPEN = "open"
    INCREASE = "increase"
    REDUCE = "reduce"


class SkipReason(StrEnum):
    NOT_FOLLOWED = "opened_before_copy"  # the leader's position predates the copy
    BELOW_MIN_SIZE = "below_min_size"
    SLIPPAGE = "slippage"
    INSUFFICIENT_MARGIN = "insufficient_margin"
    NO_POSITION = "no_copy_position"  # a reduction with nothing to reduce in the copy
    NO_EQUITY = "no_equity"  # the copy's or the leader's equity is not positive


class CloseReason(StrEnum):
    LEADER_CLOSED = "leader_closed"
    LEADER_LIQUIDATED = "leader_liquidated"
    STOP_LOSS = "stop_loss"
    COPY_STOPPED = "copy_stopped"


@dataclass(frozen=True, slots=True)
class Copied:
    market: str
    action: Action
    side: str
    size: Decimal
    leverage: Decimal | None  # None on a reduction

    @property
    def reduce_only(self) -> bool:
        return self.action is Action.REDUCE


@dataclass(frozen=True, slots=True)
class Skipped:
    market: str
    reason: SkipReason
    detail: str


@dataclass(frozen=True, slots=True)
class Closed:
    market: str
    side: str  # the order's side: the opposite of the copy's position
    size: Decimal
    reason: CloseReason


Decision = Copied | Skipped | Closed
