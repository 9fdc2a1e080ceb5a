"""The progression figures (docs/progression-rules.md), kept together so they are configuration.

Progression rewards discipline (stop-losses, small risk, steady days), never frequency,
size or leverage: no figure here grows with trade size, and XP per day is capped."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from math import isqrt
from types import MappingProxyType


class Achievement(StrEnum):
    FIRST_TRADE = "FIRST_TRADE"
    TRADER_NOVICE = "TRADER_NOVICE"
    TRADER_EXPERT = "TRADER_EXPERT"
    WEEK_WARRIOR = "WEEK_WARRIOR"
    PROFIT_MASTER = "PROFIT_MASTER"
    RISK_MANAGER = "RISK_MANAGER"
    DIVERSIFIER = "DIVERSIFIER"
    SURVIVOR = "SURVIVOR"
    TOURNAMENT_PODIUM = "TOURNAMENT_PODIUM"


def _achievement_xp() -> Mapping[Achievement, int]:
    # Read-only, so a shared rules object cannot be changed through its table.
    return MappingProxyType(
        {
            Achievement.FIRST_TRADE: 100,
            Achievement.TRADER_NOVICE: 250,
            Achievement.TRADER_EXPERT: 500,
            Achievement.WEEK_WARRIOR: 300,
            Achievement.PROFIT_MASTER: 750,
            Achievement.RISK_MANAGER: 400,
            Achievement.DIVERSIFIER: 150,
            Achievement.SURVIVOR: 500,
            Achievement.TOURNAMENT_PODIUM: 1000,
        }
    )


@dataclass(frozen=True, slots=True)
class ProgressionRules:
    # XP per closed position: base, +bonus under a stop-loss, +bonus when that stop risked
    # at most small_risk_ratio of the equity at open.
    xp_per_close: int = 10
    stop_loss_bonus: int = 10
    small_risk_bonus: int = 5
    small_risk_ratio: Decimal = Decimal("0.02")
    # "Protected for its whole life": a stop-loss can only be placed once the position
    # exists, so a position counts as protected if it never went longer than this without one.
    stop_grace_seconds: Decimal = Decimal(60)
    daily_xp_closes: int = 10  # XP-earning closes per UTC day; the rest earn 0
    # The day's first XP-earning close: streak_base + streak_step * min(streak - 1, cap).
    streak_base: int = 50
    streak_step: int = 10
    streak_step_cap: int = 10
    # Level = floor(sqrt(XP / level_divisor)) + 1;
    # max leverage = min(base_leverage + leverage_per_level * (level - 1), max_leverage).
    level_divisor: int = 100
    base_leverage: int = 10
    leverage_per_level: int = 5
    max_leverage: int = 100
    achievement_xp: Mapping[Achievement, int] = field(default_factory=_achievement_xp)
    podium_prizes: tuple[int, ...] = (1000, 500, 250)  # XP for places 1, 2, 3
    # Boards and tournaments: closes needed to rank.
    roi_min_closes: int = 5  # in the week, on the weekly ROI boards
    tournament_min_closes: int = 3
    # Standings freeze this long after a tournament's end, so the last closes before the end,
    # still on their way through the event bus, are in them.
    tournament_settle_seconds: int = 10
    # Live trading: a level earned in practice.
    live_min_practice_level: int = 3
    # Achievement thresholds.
    novice_closes: int = 10
    expert_closes: int = 100
    week_warrior_streak: int = 7
    profit_master_window: int = 20
    profit_master_min_closes: int = 10
    profit_master_ratio: Decimal = Decimal("0.7")
    risk_manager_run: int = 20
    diversifier_markets: int = 3
    survivor_days: int = 30
    survivor_closes: int = 20

    def streak_bonus(self, streak: int) -> int:
        return self.streak_base + self.streak_step * min(streak - 1, self.streak_step_cap)


DEFAULT_RULES = ProgressionRules()


def level_for(xp: int, rules: ProgressionRules = DEFAULT_RULES) -> int:
    """floor(sqrt(xp / divisor)) + 1, exactly: floor(sqrt(y)) = isqrt(floor(y)) for y >= 0,
    because k <= sqrt(y) iff k*k <= y iff k*k <= floor(y). No float ever rounds a boundary."""
    if xp < 0:
        raise ValueError(f"xp must not be negative, got {xp}")
    return isqrt(xp // rules.level_divisor) + 1


def max_leverage_for(level: int, rules: ProgressionRules = DEFAULT_RULES) -> int:
    """The leverage a level unlocks: 10x at level 1, +5x a level, 100x from level 19."""
    if level < 1:
        raise ValueError(f"level must be at least 1, got {level}")
    return min(rules.base_leverage + rules.leverage_per_level * (level - 1), rules.max_leverage)
