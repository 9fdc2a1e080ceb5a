"""Mark and index prices as the feeds deliver them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Quote:
    market: str
    mark: Decimal
    index: Decimal
    at: datetime

    @property
    def premium(self) -> Decimal:
        """(mark - index) / index, sampled for funding."""
        return (self.mark - self.index) / self.index
