"""Each achievement (docs/progression-rules.md) at its threshold, once, with its XP."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest
from progression_support import DAY, RULES, START, closed, fresh, of_type, take, unlocked

from astratrade.gamification.domain.closes import ClosedPosition
from astratrade.gamification.domain.events import AchievementUnlocked, XpAwarded
from astratrade.gamification.domain.progress import Trader
from astratrade.gamification.domain.rules import Achievement

MINUTE = timedelta(minutes=1)


def after_each(trader: Trader, closes: Sequence[ClosedPosition], achievement: str) -> list[bool]:
    """For each close in turn: did it unlock `achievement`?"""
    out = []
    for close in closes:
        trader.pending_events.clear()
        trader.close_position(close, RULES)
        out.append(achievement in unlocked(trader))
    return out


def test_an_unlock_records_the_achievement_and_its_xp() -> None:
    trader = take(fresh(), closed())
    assert of_type(trader, AchievementUnlocked) == [
        AchievementUnlocked(user_id="u-1", achievement="FIRST_TRADE", xp=100)
    ]
    assert [e for e in of_type(trader, XpAwarded) if e.reason.startswith("achievement")] == [
        XpAwarded(user_id="u-1", amount=100, reason="achievement:FIRST_TRADE", total=160)
    ]


def test_first_trade_on_the_first_close_only() -> None:
    closes = [closed(at=START + i * MINUTE) for i in range(3)]
    assert after_each(fresh(), closes, "FIRST_TRADE") == [True, False, False]


@pytest.mark.parametrize(("achievement", "count"), [("TRADER_NOVICE", 10), ("TRADER_EXPERT", 100)])
def test_close_counts_unlock_at_their_threshold_once(achievement: str, count: int) -> None:
    # Spread over days: closes beyond the daily cap still count towards these.
    closes = [closed(at=START + (i // 40) * DAY + i * MINUTE) for i in range(count + 5)]
    hits = after_each(fresh(), closes, achievement)
    assert hits.index(True) == count - 1
    assert hits.count(True) == 1


def test_week_warrior_when_the_streak_reaches_seven_and_never_again() -> None:
    days = [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15]  # reset on day 9, 7 again on 15
    hits = after_each(fresh(), [closed(at=START + d * DAY) for d in days], "WEEK_WARRIOR")
    assert hits == [False] * 6 + [True] + [False] * 8


def test_profit_master_needs_ten_closes_at_seventy_percent() -> None:
    hits = after_each(fresh(), [closed(at=START + i * MINUTE) for i in range(12)], "PROFIT_MASTER")
    assert hits.index(True) == 9  # ten winners: the tenth close is the first that counts


@pytest.mark.parametrize(("wins", "unlocks"), [(7, True), (6, False)])
def test_profit_master_counts_the_ratio_at_ten_closes(wins: int, unlocks: bool) -> None:
    pnls = ["-1"] * (10 - wins) + ["1"] * wins
    trader = take(fresh(), *(closed(at=START + i * MINUTE, pnl=p) for i, p in enumerate(pnls)))
    assert (Achievement.PROFIT_MASTER in trader.achievements) is unlocks


def test_profit_master_looks_only_at_the_last_twenty_closes() -> None:
    # Ten losses, then winners: at 13 wins the last 20 are 7 losses and 13 wins (65%);
    # at 14 wins they are 6 losses and 14 wins (70%).
    pnls = ["0"] * 10 + ["1"] * 16  # a zero P&L is not a win
    hits = after_each(
        fresh(), [closed(at=START + i * MINUTE, pnl=p) for i, p in enumerate(pnls)], "PROFIT_MASTER"
    )
    assert hits.index(True) == 10 + 14 - 1
    assert hits.count(True) == 1


def test_risk_manager_after_twenty_protected_closes_in_a_row() -> None:
    protected = [True] * 19 + [False] + [True] * 19 + [True, True]
    closes = [closed(at=START + i * MINUTE, protected=p) for i, p in enumerate(protected)]
    hits = after_each(fresh(), closes, "RISK_MANAGER")
    assert hits.index(True) == 39  # the unprotected 20th broke the first run
    assert hits.count(True) == 1


def test_a_liquidation_breaks_the_risk_manager_run() -> None:
    closes = [closed(at=START + i * MINUTE, protected=True) for i in range(19)]
    closes.append(closed(at=START + 19 * MINUTE, protected=True, liquidated=True))
    closes += [closed(at=START + (20 + i) * MINUTE, protected=True) for i in range(20)]
    hits = after_each(fresh(), closes, "RISK_MANAGER")
    assert hits.index(True) == 39


def test_diversifier_in_the_third_different_market() -> None:
    markets = ["BTC-USD", "BTC-USD", "ETH-USD", "ETH-USD", "SOL-USD", "DOGE-USD"]
    closes = [closed(at=START + i * MINUTE, market=m) for i, m in enumerate(markets)]
    assert after_each(fresh(), closes, "DIVERSIFIER") == [False] * 4 + [True, False]


def survivor_closes(count: int, last_at: timedelta) -> list[ClosedPosition]:
    """`count` closes of positions opened at START, the last closing at START + last_at."""
    closes = [closed(opened_at=START, at=START + (i + 1) * MINUTE) for i in range(count - 1)]
    closes.append(closed(opened_at=START, at=START + last_at))
    return closes


def test_survivor_thirty_days_after_the_first_trade_with_twenty_closes() -> None:
    hits = after_each(fresh(), survivor_closes(21, 30 * DAY), "SURVIVOR")
    assert hits == [False] * 20 + [True]


def test_survivor_not_a_second_before_thirty_days() -> None:
    hits = after_each(fresh(), survivor_closes(25, 30 * DAY - timedelta(seconds=1)), "SURVIVOR")
    assert not any(hits)


def test_survivor_needs_twenty_closes() -> None:
    closes = survivor_closes(19, 40 * DAY)
    trader = fresh()
    assert not any(after_each(trader, closes, "SURVIVOR"))
    assert after_each(trader, [closed(at=START + 40 * DAY + MINUTE)], "SURVIVOR") == [True]


def test_survivor_counts_from_the_earliest_opening_seen() -> None:
    trader = fresh()
    early = closed(opened_at=START - 10 * DAY, at=START + 2 * MINUTE)
    closes = [closed(at=START + MINUTE), early, *survivor_closes(20, 20 * DAY)[2:]]
    hits = after_each(trader, closes, "SURVIVOR")
    assert trader.first_trade_at == START - 10 * DAY
    assert hits[-1]


def test_survivor_never_after_a_liquidation() -> None:
    closes = [*survivor_closes(25, 29 * DAY), closed(at=START + 29 * DAY + MINUTE, liquidated=True)]
    closes += [closed(at=START + 31 * DAY + i * MINUTE) for i in range(3)]
    assert not any(after_each(fresh(), closes, "SURVIVOR"))


def test_every_close_achievement_is_paid_once_over_a_long_career() -> None:
    trader = fresh()
    markets = ["BTC-USD", "ETH-USD", "SOL-USD"]
    for day in range(40):
        for i in range(4):
            at = START + day * DAY + i * MINUTE
            take(trader, closed(at=at, market=markets[i % 3], protected=True, pnl="3"))
    names = [e.achievement for e in of_type(trader, AchievementUnlocked)]
    assert sorted(names) == sorted(a.value for a in Achievement if a.value != "TOURNAMENT_PODIUM")
    assert len(names) == len(set(names))


# --- the tournament podium ----------------------------------------------------------------


def test_podium_pays_the_achievement_once_and_the_prize_per_tournament() -> None:
    trader = fresh()
    trader.award_podium("t-1", 1, START, RULES)
    trader.award_podium("t-2", 3, START + DAY, RULES)
    trader.award_podium("t-3", 2, START + 2 * DAY, RULES)

    assert unlocked(trader) == ["TOURNAMENT_PODIUM"]
    assert [(e.amount, e.reason) for e in of_type(trader, XpAwarded)] == [
        (1000, "achievement:TOURNAMENT_PODIUM"),
        (1000, "podium:t-1"),
        (250, "podium:t-2"),
        (500, "podium:t-3"),
    ]
    assert trader.xp == 2750


@pytest.mark.parametrize("place", [0, 4])
def test_podium_only_for_the_top_three(place: int) -> None:
    trader = fresh()
    with pytest.raises(ValueError, match="place"):
        trader.award_podium("t-1", place, START, RULES)
    assert (trader.xp, trader.pending_events) == (0, [])
