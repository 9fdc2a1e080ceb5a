"""Leader statistics worked by hand: the windows (a close exactly N days ago is out), ROI on
the equity at the window's first opening, the drawdown from the peak, win rate and the
average hold; nothing closed gives zeros."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

from astratrade.copytrading.domain.statistics import (
    ClosedTrade,
    max_drawdown,
    next_change,
    statistics_of,
    within,
)

NOW = datetime(2026, 3, 31, 12, tzinfo=UTC)


def closed(days_ago: float, pnl: str, equity: str = "10000", held_hours: int = 2) -> ClosedTrade:
    at = NOW - timedelta(days=days_ago)
    return ClosedTrade(at - timedelta(hours=held_hours), at, D(pnl), D(equity))


def test_each_window_starts_on_the_equity_at_its_first_opening() -> None:
    trades = [
        closed(80, "500", equity="8000"),  # 90 days only
        closed(20, "-200", equity="8500"),  # 30 and 90
        closed(3, "300", equity="8300"),  # all three
        closed(1, "100", equity="8600", held_hours=6),
    ]
    stats = statistics_of(trades, NOW)
    assert stats.roi_7d == D("0.048193")  # 400 / 8300
    assert stats.roi_30d == D("0.023529")  # 200 / 8500
    assert stats.roi_90d == D("0.087500")  # 700 / 8000
    assert stats.max_drawdown_30d == D("0.023529")  # 8500 down to 8300
    assert stats.win_rate == D("0.75")
    assert stats.average_hold_seconds == 3 * 3600  # (2 + 2 + 2 + 6) / 4 hours
    assert stats.closed_positions_90d == 4


def test_a_close_exactly_seven_days_ago_is_out_of_the_week() -> None:
    trades = [closed(7, "1000"), closed(6.99, "50")]
    assert [t.realized_pnl for t in within(trades, NOW, 7)] == [D(50)]
    assert statistics_of(trades, NOW).roi_7d == D("0.005")


def test_the_drawdown_is_the_largest_fall_from_a_peak_over_the_peak() -> None:
    # 1000 -> 1200 (peak) -> 900 (25 % down) -> 1300 (new peak) -> 1170 (10 % down)
    path = [
        closed(9 - n, pnl, equity="1000") for n, pnl in enumerate(["200", "-300", "400", "-130"])
    ]
    assert max_drawdown(path) == D("0.25")
    assert max_drawdown([closed(1, "10"), closed(0.5, "20")]) == 0  # it never fell


def test_nothing_closed_gives_zeros() -> None:
    stats = statistics_of([closed(120, "900")], NOW)  # older than every window
    assert (stats.roi_7d, stats.roi_90d, stats.max_drawdown_30d, stats.win_rate) == (0, 0, 0, 0)
    assert (stats.average_hold_seconds, stats.closed_positions_90d) == (0, 0)


def test_the_next_change_is_the_first_close_to_leave_a_window_or_to_come() -> None:
    # 80 days ago leaves the 90-day window in 10 days; 20 days ago the 30-day one in 10 days
    # too; 3 days ago the week's in 4 days: the first.
    trades = [closed(80, "500"), closed(20, "-200"), closed(3, "300")]
    assert next_change(trades, NOW) == NOW + timedelta(days=4)
    assert next_change([closed(29.5, "1")], NOW) == NOW + timedelta(days=0.5)
    assert next_change([closed(-1, "1")], NOW) == NOW + timedelta(days=1)  # closes later
    assert next_change([closed(90, "1")], NOW) is None  # out of every window already
    assert next_change([], NOW) is None
