"""Progression's events. Other contexts subscribe by type name and read the payload, so
field names are part of the public contract: trading follows LeverageUnlocked by
payload["user_id"] and payload["max_leverage"].

Every XP change is one XpAwarded (achievements and prizes too), so an XP leaderboard can be
built from XpAwarded alone; `total` is the trader's XP after it."""

from __future__ import annotations

from dataclasses import dataclass

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
