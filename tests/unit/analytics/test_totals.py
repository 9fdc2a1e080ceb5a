"""Totals add up exactly, in any grouping: the metrics of totals kept per day, market and
side (the read model's rows) are those of the trades themselves, and so is a report built
from them, per market and per side."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from astratrade.analytics.domain.report import (
    Period,
    day_totals,
    report_of,
    report_of_days,
    trader_report,
)
from astratrade.analytics.domain.returns import DailyClose
from astratrade.analytics.domain.totals import TradeTotals, added
from astratrade.analytics.domain.trade_metrics import by_market, by_side, metrics_of, trade_metrics
from astratrade.analytics.domain.trades import ClosedTrade, Side

NOW = datetime(2026, 3, 31, 12, tzinfo=UTC)
money = st.integers(-(10**9), 10**9).map(lambda n: Decimal(n) / 10**6)
risks = st.none() | st.integers(0, 10**8).map(lambda n: Decimal(n) / 10**4)
trades = st.lists(
    st.builds(
        lambda market, side, days, hold, pnl, fees, funding, risk: ClosedTrade(
            market,
            side,
            NOW - timedelta(days=days, seconds=hold),
            NOW - timedelta(days=days),
            pnl,
            abs(fees),
            funding,
            risk,
        ),
        st.sampled_from(["BTC-USD", "ETH-USD", "SOL-USD"]),
        st.sampled_from(list(Side)),
        st.integers(0, 120),
        st.integers(0, 10**6),
        money,
        money,
        money,
        risks,
    ),
    max_size=40,
)


@given(trades, st.randoms(use_true_random=False))
def test_totals_in_any_grouping_give_the_trades_metrics(
    journal: list[ClosedTrade], shuffle: object
) -> None:
    parts = [TradeTotals.of(t) for t in journal]
    shuffle.shuffle(parts)  # type: ignore[attr-defined]
    halves = added(parts[: len(parts) // 2]) + added(parts[len(parts) // 2 :])
    assert metrics_of(halves) == trade_metrics(journal)


@given(trades)
def test_a_report_from_day_totals_is_the_trades_report(journal: list[ClosedTrade]) -> None:
    closes = [DailyClose(NOW.date() - timedelta(days=200), Decimal(10_000), Decimal(10_000))]
    for period in Period:
        report = report_of_days(day_totals(journal), closes, period, NOW)
        first = report.first_day
        kept = [t for t in journal if t.closed_at.date() >= first]
        assert report.metrics == trade_metrics(kept)
        assert report.by_side == by_side(kept)
        assert report.by_market == by_market(kept)
        assert report == trader_report(journal, closes, period, NOW)


@given(trades)
def test_a_periods_totals_are_two_running_totals_difference(journal: list[ClosedTrade]) -> None:
    """As the read model keeps them: running totals per market and side at the end of each
    day; a period's are the latest less the latest before its first day."""
    running: dict[tuple[str, Side], list[tuple[object, TradeTotals]]] = {}
    for d in day_totals(journal):  # oldest first
        rows = running.setdefault((d.market, d.side), [])
        rows.append((d.day, (rows[-1][1] if rows else TradeTotals()) + d.totals))
    closes = [DailyClose(NOW.date() - timedelta(days=200), Decimal(10_000), Decimal(10_000))]
    for period in Period:
        first = trader_report(journal, closes, period, NOW).first_day
        totals = {
            key: rows[-1][1] - next((t for day, t in reversed(rows) if day < first), TradeTotals())
            for key, rows in running.items()
        }
        expected = trader_report(journal, closes, period, NOW)
        assert report_of(totals, expected.calendar, closes, period, NOW) == expected
