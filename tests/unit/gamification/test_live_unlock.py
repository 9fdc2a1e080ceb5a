"""Live trading opens at level 3 earned in practice: live closes and tournament prizes never
count towards it, and the unlock is announced once."""

from __future__ import annotations

from progression_support import DAY, RULES, START, closed

from astratrade.gamification.domain.events import LiveTradingUnlocked
from astratrade.gamification.domain.progress import Trader


def unlocks(trader: Trader) -> list[LiveTradingUnlocked]:
    return [e for e in trader.pending_events if isinstance(e, LiveTradingUnlocked)]


def test_level_three_from_practice_closes_unlocks_live_trading_once() -> None:
    trader = Trader.start("u-1", RULES)
    for i in range(10):  # 100 for closes, 50 streak, 100 FIRST_TRADE, 250 TRADER_NOVICE
        trader.close_position(closed(at=START + i * DAY / 100, pnl="-1"), RULES)
    assert (trader.xp, trader.practice_xp, trader.level) == (500, 500, 3)
    (unlocked,) = unlocks(trader)
    assert unlocked.practice_level == 3
    for i in range(5):
        trader.close_position(closed(at=START + DAY + i * DAY / 100), RULES)
    assert len(unlocks(trader)) == 1


def test_tournament_prizes_and_live_closes_do_not_count() -> None:
    trader = Trader.start("u-2", RULES)
    trader.award_podium("t-1", 1, START, RULES)  # 1000 + 1000 XP: level 5
    for i in range(3):
        trader.close_position(closed(at=START + i * DAY, kind="live"), RULES)
    assert trader.level >= 5
    assert trader.practice_xp == 0
    assert unlocks(trader) == []
    assert not trader.live_unlocked(RULES)
