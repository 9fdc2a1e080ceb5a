"""Progression's events. Other contexts subscribe by type name and read the payload, so
field names are part of the public contract: trading follows LeverageUnlocked by
payload["user_id"] and payload["max_leverage"].

Every XP change is one XpAwarded (achievements and prizes too), so an XP leaderboard can be
built from XpAwarded alone; `total` is the trader's XP after it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from astratrade.shared.messages import Event


@dataclass(frozen=True, kw_only=True)
class GamificationEvent(Event):
    context = "gamification"


@dataclass(frozen=True, kw_only=True)
class XpAwarded(GamificationEvent):
    """XP added to a trader; reason is "close", "streak", "achievement:<id>" or
    "podium:<tournament id>"."""

    user_id: str
    amount: int
    reason: str
    total: int


@dataclass(frozen=True, kw_only=True)
class LevelReached(GamificationEvent):
    """The trader's level went up (levels never go down)."""

    user_id: str
    level: int


@dataclass(frozen=True, kw_only=True)
class LeverageUnlocked(GamificationEvent):
    """The trader's unlocked max leverage went up; trading caps it by the market's tier."""

    user_id: str
    max_leverage: int


@dataclass(frozen=True, kw_only=True)
class LiveTradingUnlocked(GamificationEvent):
    """The level earned in practice alone reached the live-trading minimum (once); trading
    opens live accounts to those who also passed KYC."""

    user_id: str
    practice_level: int


@dataclass(frozen=True, kw_only=True)
class StreakUpdated(GamificationEvent):
    """The streak after the first XP-earning close of a UTC day (day: ISO date)."""

    user_id: str
    streak: int
    day: str


@dataclass(frozen=True, kw_only=True)
class AchievementUnlocked(GamificationEvent):
    user_id: str
    achievement: str
    xp: int


@dataclass(frozen=True, kw_only=True)
class TournamentCreated(GamificationEvent):
    tournament_id: str
    name: str
    markets: list[str]
    starts_at: datetime
    ends_at: datetime
    starting_capital: Decimal
    max_entrants: int
    min_level: int


@dataclass(frozen=True, kw_only=True)
class TournamentJoined(GamificationEvent):
    """Trading opens the entrant's tournament account (account_id) with the starting capital,
    trading only the tournament's markets between its start and end."""

    tournament_id: str
    user_id: str
    account_id: str
    starting_capital: Decimal
    markets: list[str]
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True, kw_only=True)
class TournamentFinished(GamificationEvent):
    """Standings frozen; podium: the user ids of places 1-3 (fewer if fewer ranked)."""

    tournament_id: str
    podium: list[str]
    ranked: int
