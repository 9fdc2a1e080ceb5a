"""Instructions to the gamification context (from its API)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from astratrade.shared.messages import Command


@dataclass(frozen=True, kw_only=True)
class CreateTournament(Command):
    name: str
    markets: tuple[str, ...]
    starts_at: datetime
    ends_at: datetime
    starting_capital: Decimal
    max_entrants: int
    min_level: int


@dataclass(frozen=True, kw_only=True)
class JoinTournament(Command):
    tournament_id: str
    user_id: str
