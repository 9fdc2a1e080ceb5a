"""What an account is opened with: its kind, its leverage per market, a tournament
account's trading window and a copy account's terms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class AccountKind(StrEnum):
    PRACTICE = "practice"
    LIVE = "live"
    TOURNAMENT = "tournament"
    HOUSE = "house"  # the practice venue's counterparty: P&L, fees and funding settle here
    INSURANCE = "insurance"  # liquidation fees in, shortfalls out
    COPY = "copy"  # opened by copy trading for one copy; copy trading decides its openings

    @property
    def is_system(self) -> bool:
        return self in (AccountKind.HOUSE, AccountKind.INSURANCE)


class LeverageSettings(dict[str, Decimal]):
    """Leverage per market; a market never set uses the default."""

    def __init__(self, default: Decimal, settings: dict[str, Decimal] | None = None) -> None:
        super().__init__(settings or {})
        self.default = default

    def __missing__(self, market: str) -> Decimal:
        return self.default


@dataclass(frozen=True, slots=True)
class TradingWindow:
    """A tournament account's bounds: only its markets, only from opens_at to closes_at."""

    markets: tuple[str, ...]
    opens_at: datetime
    closes_at: datetime

    def is_open(self, at: datetime) -> bool:
        return self.opens_at <= at < self.closes_at


class CopyState(StrEnum):
    ACTIVE = "active"  # takes copy trading's orders
    STOPPING = "stopping"  # the floor was reached or the copy is stopping: only reductions
    CLOSED = "closed"  # its money went back to the source account: takes nothing


@dataclass(slots=True)
class CopyTerms:
    """A copy account's copy: the id copy trading knows it by, and the equity floor
    (allocation x (1 - max loss)) at which trading closes it out."""

    copy_id: str
    floor: Decimal
    state: CopyState = CopyState.ACTIVE

    @property
    def takes_openings(self) -> bool:
        return self.state is CopyState.ACTIVE
