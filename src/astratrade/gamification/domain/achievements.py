"""When each achievement (the progression rules) is reached, judged from a trader's standing after
a close. TOURNAMENT_PODIUM is not here: tournaments award it (Trader.award_podium)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from astratrade.gamification.domain.rules import Achievement, ProgressionRules


@dataclass(frozen=True, kw_only=True, slots=True)
class Standing:
    """What the criteria look at: counts over practice and live closes, and the moment."""

    closes: int
    streak: int
    recent_wins: tuple[bool, ...]  # the last profit_master_window closes, oldest first
    protected_run: int  # consecutive closes, up to the latest, each under a stop-loss
    markets: frozenset[str]
    first_trade_at: datetime | None
    ever_liquidated: bool
    at: datetime


def reached(standing: Standing, rules: ProgressionRules) -> list[Achievement]:
    """Every close-driven achievement whose condition holds now, in the table's order.
    Thresholds are `>=`, so one missed at the moment it was crossed is still reached later."""
    s = standing
    met = {
        Achievement.FIRST_TRADE: s.closes >= 1,
        Achievement.TRADER_NOVICE: s.closes >= rules.novice_closes,
        Achievement.TRADER_EXPERT: s.closes >= rules.expert_closes,
        Achievement.WEEK_WARRIOR: s.streak >= rules.week_warrior_streak,
        Achievement.PROFIT_MASTER: _profit_master(s.recent_wins, rules),
        Achievement.RISK_MANAGER: s.protected_run >= rules.risk_manager_run,
        Achievement.DIVERSIFIER: len(s.markets) >= rules.diversifier_markets,
        Achievement.SURVIVOR: _survivor(s, rules),
    }
    return [achievement for achievement, ok in met.items() if ok]


def _profit_master(recent_wins: tuple[bool, ...], rules: ProgressionRules) -> bool:
    window = recent_wins[-rules.profit_master_window :]
    if len(window) < rules.profit_master_min_closes:
        return False
    # wins / closes >= ratio, without dividing.
    return sum(window) >= rules.profit_master_ratio * len(window)


def _survivor(s: Standing, rules: ProgressionRules) -> bool:
    if s.first_trade_at is None or s.ever_liquidated or s.closes < rules.survivor_closes:
        return False
    return s.at >= s.first_trade_at + timedelta(days=rules.survivor_days)
