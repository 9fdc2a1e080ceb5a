"""The Trader aggregate on closes: the daily cap, streaks on UTC days, liquidations,
tournament closes, and the events recorded when XP, level and leverage change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from progression_support import (
    DAY,
    RULES,
    SMALL_RISK,
    START,
    best,
    close_xp_awarded,
    closed,
    fresh,
    of_type,
    take,
)

from astratrade.gamification.domain.events import (
    AchievementUnlocked,
    LevelReached,
    LeverageUnlocked,
    StreakUpdated,
    XpAwarded,
)
from astratrade.gamification.domain.progress import Trader
from astratrade.gamification.domain.rules import Achievement, level_for, max_leverage_for
from astratrade.shared.messages import Event

ALL_CLOSE_ACHIEVEMENTS = [a.value for a in Achievement if a is not Achievement.TOURNAMENT_PODIUM]


def veteran(streak: int = 0, last_streak_day: datetime | None = None) -> Trader:
    """A trader with every close-driven achievement, so only close and streak XP move."""
    return Trader(
        "u-1",
        xp=50_000,
        level=level_for(50_000),
        max_leverage=max_leverage_for(level_for(50_000)),
        streak=streak,
        last_streak_day=None if last_streak_day is None else last_streak_day.date(),
        closes=500,
        achievements=ALL_CLOSE_ACHIEVEMENTS,
    )


def test_a_new_trader_is_level_1_at_10x_and_records_nothing() -> None:
    trader = fresh()
    assert (trader.user_id, trader.xp, trader.level, trader.max_leverage) == ("u-1", 0, 1, 10)
    assert (trader.streak, trader.closes, trader.achievements) == (0, 0, set())
    assert trader.pending_events == []


def test_the_first_close_records_its_xp_the_streak_the_achievement_and_the_level() -> None:
    trader = take(fresh(), closed(protected=True))

    assert trader.pending_events == [
        XpAwarded(user_id="u-1", amount=20, reason="close", total=20),
        StreakUpdated(user_id="u-1", streak=1, day="2025-01-06"),
        XpAwarded(user_id="u-1", amount=50, reason="streak", total=70),
        AchievementUnlocked(user_id="u-1", achievement="FIRST_TRADE", xp=100),
        XpAwarded(user_id="u-1", amount=100, reason="achievement:FIRST_TRADE", total=170),
        LevelReached(user_id="u-1", level=2),
        LeverageUnlocked(user_id="u-1", max_leverage=15),
    ]
    assert (trader.xp, trader.level, trader.max_leverage) == (170, 2, 15)


def test_events_belong_to_gamification_and_leverage_unlocked_keeps_its_contract() -> None:
    event = LeverageUnlocked(user_id="u-1", max_leverage=15)
    assert isinstance(event, Event)
    assert event.context == "gamification"
    assert event.payload() == {"user_id": "u-1", "max_leverage": 15}
    assert StreakUpdated(user_id="u", streak=2, day="2025-01-07").payload()["day"] == "2025-01-07"


def test_level_and_leverage_are_recorded_only_when_they_go_up() -> None:
    trader = veteran()  # level 23, already at the 100x ceiling
    take(trader, best(), best(START + DAY))
    assert of_type(trader, LevelReached) == []
    assert of_type(trader, LeverageUnlocked) == []

    almost = Trader("u-2", xp=399, level=2, max_leverage=15, achievements=ALL_CLOSE_ACHIEVEMENTS)
    take(almost, closed())
    assert of_type(almost, LevelReached) == [LevelReached(user_id="u-2", level=3)]
    assert of_type(almost, LeverageUnlocked) == [LeverageUnlocked(user_id="u-2", max_leverage=20)]


def test_a_level_jump_records_one_event_with_the_new_level() -> None:
    trader = Trader("u-3", xp=0, level=1, max_leverage=10)
    trader.award_podium("t-1", 1, START, RULES)  # 1000 + 1000 XP: level 5
    assert of_type(trader, LevelReached) == [LevelReached(user_id="u-3", level=5)]
    assert of_type(trader, LeverageUnlocked) == [LeverageUnlocked(user_id="u-3", max_leverage=30)]


# --- the daily cap ------------------------------------------------------------------------


def test_the_eleventh_xp_earning_close_of_a_day_earns_nothing() -> None:
    trader = veteran()
    for minute in range(10):
        take(trader, closed(at=START + timedelta(minutes=minute)))
    before = trader.xp
    trader.pending_events.clear()

    take(trader, closed(at=START + timedelta(minutes=10), protected=True, risk=SMALL_RISK))

    assert trader.xp == before
    assert trader.pending_events == []
    assert trader.xp_closes_today == 11


def test_the_cap_starts_again_on_the_next_utc_day() -> None:
    trader = veteran()
    for minute in range(11):
        take(trader, closed(at=START + timedelta(minutes=minute)))
    take(trader, closed(at=datetime(2025, 1, 7, 0, 0, tzinfo=UTC)))
    assert close_xp_awarded(trader) == [10] * 11


def test_liquidations_do_not_use_up_the_days_xp_closes() -> None:
    trader = veteran()
    for minute in range(5):
        take(trader, closed(at=START + timedelta(minutes=minute), liquidated=True))
    for minute in range(5, 15):
        take(trader, closed(at=START + timedelta(minutes=minute)))
    assert close_xp_awarded(trader) == [10] * 10


def test_a_hundred_tiny_closes_in_a_day_earn_the_cap_and_no_more() -> None:
    """Ten closes at the best 25 XP and the streak bonus at its 150 XP ceiling: 400."""
    trader = veteran(streak=30, last_streak_day=START - DAY)
    before = trader.xp

    for second in range(100):
        take(trader, best(START + timedelta(seconds=second)))

    assert trader.xp - before == 10 * 25 + 150 == 400
    assert close_xp_awarded(trader) == [25] * 10


def test_a_new_traders_best_possible_first_day_is_exactly_bounded() -> None:
    """From nothing, 100 best closes in three markets on one day: 10 x 25 close XP, the
    day-one streak bonus, and the six achievements a single day can complete."""
    trader = fresh()
    markets = ["BTC-USD", "ETH-USD", "SOL-USD"]
    for i in range(100):
        take(trader, best(START + timedelta(seconds=i), markets[i % 3]))

    reachable = ["FIRST_TRADE", "TRADER_NOVICE", "TRADER_EXPERT"]
    reachable += ["PROFIT_MASTER", "RISK_MANAGER", "DIVERSIFIER"]
    assert sorted(trader.achievements) == sorted(reachable)
    assert trader.xp == 250 + 50 + sum(RULES.achievement_xp[Achievement(a)] for a in reachable)
    assert trader.xp == 2450
    assert close_xp_awarded(trader) == [25] * 10


# --- liquidation and tournaments ----------------------------------------------------------


def test_a_liquidation_earns_nothing_but_is_counted() -> None:
    trader = veteran()
    take(trader, closed(liquidated=True, protected=True, risk=SMALL_RISK, market="ETH-USD"))
    assert trader.pending_events == []
    assert (trader.xp, trader.streak, trader.last_streak_day) == (50_000, 0, None)
    assert (trader.closes, trader.liquidated, trader.protected_run) == (501, True, 0)
    assert "ETH-USD" in trader.markets


def test_a_liquidation_does_not_unlock_first_trade_the_next_close_does() -> None:
    trader = take(fresh(), closed(liquidated=True, pnl="-100"))
    assert (trader.xp, trader.closes, trader.achievements) == (0, 1, set())

    take(trader, closed(at=START + timedelta(hours=1)))
    assert Achievement.FIRST_TRADE in trader.achievements


def test_tournament_closes_are_ignored() -> None:
    trader = fresh()
    take(trader, *(best(START + timedelta(minutes=i)) for i in range(3)))
    snapshot = dict(vars(trader))
    trader.pending_events.clear()

    take(trader, closed(kind="tournament", protected=True, market="DOGE-USD"))

    assert trader.pending_events == []
    assert {k: v for k, v in vars(trader).items() if k != "pending_events"} == {
        k: v for k, v in snapshot.items() if k != "pending_events"
    }


def test_live_closes_earn_like_practice_closes() -> None:
    trader = take(veteran(), closed(kind="live", protected=True))
    assert close_xp_awarded(trader) == [20]


# --- streaks ------------------------------------------------------------------------------


def streaks(trader: Trader) -> list[tuple[int, str]]:
    return [(e.streak, e.day) for e in of_type(trader, StreakUpdated)]


def streak_bonuses(trader: Trader) -> list[int]:
    return [e.amount for e in of_type(trader, XpAwarded) if e.reason == "streak"]


def test_the_streak_grows_over_consecutive_utc_days_and_a_missed_day_resets_it() -> None:
    trader = veteran()
    for day in (0, 1, 2, 4, 5):  # day 3 missed
        take(
            trader, closed(at=START + day * DAY), closed(at=START + day * DAY + timedelta(hours=1))
        )

    assert streaks(trader) == [
        (1, "2025-01-06"),
        (2, "2025-01-07"),
        (3, "2025-01-08"),
        (1, "2025-01-10"),
        (2, "2025-01-11"),
    ]
    assert streak_bonuses(trader) == [50, 60, 70, 50, 60]
    assert (trader.streak, trader.last_streak_day) == (2, (START + 5 * DAY).date())


def test_the_streak_bonus_stops_growing_after_ten_steps() -> None:
    trader = veteran()
    for day in range(13):
        take(trader, closed(at=START + day * DAY))
    assert streak_bonuses(trader) == [50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150, 150, 150]
    assert trader.streak == 13


def test_the_streak_continues_from_a_stored_yesterday() -> None:
    trader = veteran(streak=4, last_streak_day=START - DAY)
    take(trader, closed())
    assert streaks(trader) == [(5, "2025-01-06")]
    assert streak_bonuses(trader) == [90]


def test_streak_days_are_utc_days_whatever_the_offset() -> None:
    trader = veteran()
    late = datetime(2025, 1, 6, 23, 59, 59, tzinfo=UTC)
    # 01:30 in UTC+3 on the 7th is still the 6th in UTC: the same streak day.
    same_day = datetime(2025, 1, 7, 1, 30, tzinfo=timezone(timedelta(hours=3)))
    midnight = datetime(2025, 1, 7, 0, 0, tzinfo=UTC)
    take(trader, closed(at=late), closed(at=same_day), closed(at=midnight))
    assert streaks(trader) == [(1, "2025-01-06"), (2, "2025-01-07")]


def test_a_day_with_only_liquidations_breaks_the_streak() -> None:
    trader = veteran()
    take(trader, closed(at=START), closed(at=START + DAY, liquidated=True))
    take(trader, closed(at=START + 2 * DAY))
    assert streaks(trader) == [(1, "2025-01-06"), (1, "2025-01-08")]


def test_a_close_delivered_late_counts_on_the_latest_day_seen() -> None:
    trader = veteran()
    take(trader, closed(at=START), closed(at=START + DAY))
    for minute in range(9):
        take(trader, closed(at=START + DAY + timedelta(minutes=minute + 1)))
    trader.pending_events.clear()

    take(trader, closed(at=START + timedelta(hours=2)))  # yesterday's: today's cap is full

    assert trader.pending_events == []
    assert (trader.streak, trader.xp_day) == (2, (START + DAY).date())


@pytest.mark.parametrize("pnl", ["-250", "0", "250"])
def test_pnl_sign_never_changes_what_a_trader_earns(pnl: str) -> None:
    trader = take(veteran(), closed(pnl=pnl, protected=True, risk=SMALL_RISK))
    assert trader.xp == 50_000 + 25 + 50
