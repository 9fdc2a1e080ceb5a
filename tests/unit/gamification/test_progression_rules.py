"""The progression rules: XP per close, streak bonus, level and leverage."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_FLOOR, Decimal, localcontext

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from progression_support import EQUITY, RULES, SMALL_RISK, START, closed

from astratrade.gamification.domain.closes import ClosedPosition, close_xp
from astratrade.gamification.domain.rules import (
    Achievement,
    ProgressionRules,
    level_for,
    max_leverage_for,
)

D = Decimal


def deterministic(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None)


def test_the_achievement_table_is_the_specs() -> None:
    assert dict(RULES.achievement_xp) == {
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
    assert RULES.podium_prizes == (1000, 500, 250)
    with pytest.raises(TypeError):
        RULES.achievement_xp[Achievement.FIRST_TRADE] = 1_000_000  # type: ignore[index]


@pytest.mark.parametrize(
    ("xp", "level"),
    [(0, 1), (99, 1), (100, 2), (399, 2), (400, 3), (32_399, 18), (32_400, 19), (36_100, 20)],
)
def test_level_is_floor_sqrt_of_xp_over_100_plus_one(xp: int, level: int) -> None:
    assert level_for(xp) == level


@pytest.mark.parametrize(
    ("level", "leverage"), [(1, 10), (2, 15), (3, 20), (18, 95), (19, 100), (20, 100), (50, 100)]
)
def test_max_leverage_is_10x_plus_5x_a_level_capped_at_100x(level: int, leverage: int) -> None:
    assert max_leverage_for(level) == leverage
    assert type(max_leverage_for(level)) is int


def test_level_and_leverage_reject_impossible_inputs() -> None:
    with pytest.raises(ValueError, match="xp"):
        level_for(-1)
    with pytest.raises(ValueError, match="level"):
        max_leverage_for(0)


def test_other_rules_move_the_figures() -> None:
    rules = ProgressionRules(
        level_divisor=10, base_leverage=2, leverage_per_level=1, max_leverage=3
    )
    assert level_for(40, rules) == 3
    assert [max_leverage_for(level, rules) for level in (1, 2, 3)] == [2, 3, 3]


@pytest.mark.parametrize(("streak", "bonus"), [(1, 50), (2, 60), (7, 110), (11, 150), (12, 150)])
def test_streak_bonus_is_50_plus_10_a_day_capped_after_ten_steps(streak: int, bonus: int) -> None:
    assert RULES.streak_bonus(streak) == bonus


@pytest.mark.parametrize(
    ("protected", "risk", "xp"),
    [
        (False, None, 10),
        (False, SMALL_RISK, 10),  # the small-risk bonus needs the stop that defines the risk
        (True, None, 20),
        (True, SMALL_RISK, 25),  # exactly 2% of equity at open
        (True, SMALL_RISK + D("0.01"), 20),
        (True, D(0), 25),
    ],
)
def test_close_xp_rewards_the_stop_and_small_risk(
    protected: bool, risk: Decimal | None, xp: int
) -> None:
    assert close_xp(closed(protected=protected, risk=risk), RULES) == xp


@pytest.mark.parametrize("pnl", ["-5000", "0", "0.01", "5000"])
def test_pnl_sign_never_changes_close_xp(pnl: str) -> None:
    assert close_xp(closed(pnl=pnl, protected=True, risk=SMALL_RISK), RULES) == 25


def test_a_liquidation_is_worth_nothing_even_under_a_stop() -> None:
    assert close_xp(closed(liquidated=True, protected=True, risk=SMALL_RISK), RULES) == 0


def test_size_of_equity_only_scales_the_two_percent_line() -> None:
    assert close_xp(closed(protected=True, risk="2", equity=D(100)), RULES) == 25
    assert close_xp(closed(protected=True, risk="2.01", equity=D(100)), RULES) == 20
    assert close_xp(closed(protected=True, risk="1", equity=D(0)), RULES) == 20
    assert EQUITY * RULES.small_risk_ratio == SMALL_RISK


def test_closed_position_needs_aware_times_and_a_known_account_kind() -> None:
    with pytest.raises(ValueError, match="closed_at"):
        closed(at=datetime(2025, 1, 6, 9, 0), opened_at=START)  # noqa: DTZ001 - naive on purpose
    with pytest.raises(ValueError, match="account_kind"):
        ClosedPosition(
            position_id="p",
            account_kind="house",  # type: ignore[arg-type]
            market="BTC-USD",
            opened_at=START,
            closed_at=START,
            realized_pnl=D(1),
            liquidated=False,
            stop_protected=False,
            risk_at_stop=None,
            equity_at_open=EQUITY,
        )


# --- properties ---------------------------------------------------------------------------


def _decimal_level(xp: int) -> int:
    with localcontext() as context:
        context.prec = 60
        root = (Decimal(xp) / 100).sqrt()
        return int(root.to_integral_value(rounding=ROUND_FLOOR)) + 1


@deterministic(500)
@given(st.integers(min_value=0, max_value=10**18))
@example(0)
@example(99)
@example(100)
@example(100 * 12_345**2 - 1)
@example(100 * 12_345**2)
@example(100 * (10**8) ** 2 - 1)
def test_level_for_matches_the_formula_in_decimal(xp: int) -> None:
    assert level_for(xp) == _decimal_level(xp)


@deterministic(300)
@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=10**9))
def test_level_and_max_leverage_never_fall_as_xp_grows(a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert level_for(low) <= level_for(high)
    assert max_leverage_for(level_for(low)) <= max_leverage_for(level_for(high))
    assert 10 <= max_leverage_for(level_for(high)) <= 100
