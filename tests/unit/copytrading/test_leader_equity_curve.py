"""The leader's normalized equity curve for any closes: it ends on 1 + the window's ROI (the
statistics' own figure, to the millionth), its drawdown is the statistics' drawdown, and a
long window keeps at most MAX_POINTS points, its last close always among them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from astratrade.copytrading.domain.statistics import ClosedTrade, max_drawdown, roi
from astratrade.copytrading.views.leader_equity import MAX_POINTS, normalized

START = datetime(2026, 1, 1, tzinfo=UTC)
money = st.decimals(min_value=-5000, max_value=5000, places=2)
capitals = st.decimals(min_value=-100, max_value=100_000, places=2)


def history(pnls: list[D], capital: D) -> list[ClosedTrade]:
    return [
        ClosedTrade(START + timedelta(hours=n), START + timedelta(hours=n + 1), pnl, capital)
        for n, pnl in enumerate(pnls)
    ]


@given(st.lists(money, min_size=1, max_size=40), capitals)
def test_the_curve_ends_on_one_plus_the_windows_roi(pnls: list[D], capital: D) -> None:
    trades = history(pnls, capital)
    points = normalized(trades)
    if capital <= 0:
        assert points == []  # no growth can be told from a capital of nothing
        return
    assert [p.at for p in points] == [t.closed_at for t in trades]
    assert points[-1].value == 1 + roi(trades)


@given(st.lists(money, min_size=1, max_size=40), st.decimals(min_value=1, max_value=100_000))
def test_the_curve_falls_from_its_peak_as_the_drawdown_says(pnls: list[D], capital: D) -> None:
    values = [D(1), *(p.value for p in normalized(history(pnls, capital)))]
    peak, worst = values[0], D(0)
    for value in values:
        peak = max(peak, value)
        if peak > 0:
            worst = max(worst, (peak - value) / peak)
    # each point is rounded to the millionth: the fall read from them is that close
    assert abs(min(worst, D(1)) - max_drawdown(history(pnls, capital))) <= D("0.00001")


@given(st.integers(min_value=1, max_value=3 * MAX_POINTS))
def test_a_long_window_keeps_at_most_the_bound_first_and_last_exact(closes: int) -> None:
    trades = history([D(1)] * closes, D(1000))
    every = normalized(trades, most=closes)
    drawn = normalized(trades)
    assert len(every) == closes
    assert len(drawn) == min(closes, MAX_POINTS)
    assert (drawn[0], drawn[-1]) == (every[0], every[-1])
    assert set(drawn) <= set(every)  # each point drawn is its close's exact value
    assert [p.at for p in drawn] == sorted({p.at for p in drawn})  # in order, none twice
