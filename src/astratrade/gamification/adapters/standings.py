"""What a board is and what a standing on it shows, whichever store answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Board:
    board: str
    period: str
    mode: str


@dataclass(frozen=True, slots=True)
class Standing:
    rank: int
    user_id: str
    username: str
    score: Decimal
    reached_at: datetime
