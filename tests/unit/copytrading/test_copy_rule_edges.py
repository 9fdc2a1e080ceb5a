"""Edges of the copy rules: proportional size when an equity is not positive, the tier at
exactly its bound, and the leader statistics at their boundaries (a break-even close is not
a win, a close at `now` is in the window, an average hold in whole seconds)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

from astratrade.copytrading.domain.rules import LeverageTier, MarketRules
from astratrade.copytrading.domain.sizing import proportional_size
from astratrade.copytrading.domain.statistics import (
    ClosedTrade,
    average_hold_seconds,
    next_change,
    win_rate,
    within,
)

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
BTC = MarketRules(
    "BTC-USD",
    D("0.00001"),
    D("0.0001"),
    (LeverageTier(D(50), D(100_000)), LeverageTier(D(20), D(500_000)), LeverageTier(D(5), None)),
)


def closed(pnl: str, *, ago: timedelta = timedelta(hours=1), held: int = 60) -> ClosedTrade:
    return ClosedTrade(NOW - ago - timedelta(seconds=held), NOW - ago, D(pnl), D(10_000))


def test_no_copy_size_when_either_equity_is_not_positive() -> None:
    assert proportional_size(D("0.5"), D(-100), D(1_000), BTC) == 0
    assert proportional_size(D("0.5"), D(100), D(0), BTC) == 0
    assert proportional_size(D("0.5"), D(100), D(1_000), BTC) == D("0.05")


def test_a_notional_exactly_at_a_tiers_bound_is_in_that_tier() -> None:
    assert BTC.tier_cap(D(100_000)) == 50
    assert BTC.tier_cap(D("100000.01")) == 20
    assert BTC.tier_cap(D(10**9)) == 5


def test_a_break_even_or_tiny_gain_is_judged_as_it_is() -> None:
    assert win_rate([closed("0"), closed("0.5"), closed("-1"), closed("3")]) == D("0.5")


def test_a_close_at_now_is_in_the_window_and_a_close_at_now_is_no_future_change() -> None:
    at_now = closed("1", ago=timedelta(0))
    assert within([at_now], NOW, 7) == [at_now]
    assert next_change([at_now], NOW) == NOW + timedelta(days=7)


def test_the_average_hold_is_in_whole_seconds() -> None:
    assert average_hold_seconds([closed("1", held=60), closed("1", held=61)]) == 60
