"""What an account is opened with: its kind, its leverage per market, and a tournament
account's trading window."""

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
