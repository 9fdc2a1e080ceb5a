"""The report over a period: its days, the equity curve from daily closes, and returns that
never count money moved in or out."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, localcontext

from hypothesis import given
from hypothesis import strategies as st

from astratrade.analytics.domain.report import Period, period_days, trader_report
from astratrade.analytics.domain.returns import DailyClose, daily_returns
from astratrade.analytics.domain.trade_metrics import trade_metrics
from astratrade.analytics.domain.trades import ClosedTrade, Side

D = Decimal
NOW = datetime(2026, 3, 10, 15, tzinfo=UTC)
TODAY = NOW.date()


def test_week_covers_today_and_the_six_days_before() -> None:
    assert period_days(Period.WEEK, TODAY, date(2026, 1, 1)) == (date(2026, 3, 4), TODAY)


def test_period_never_starts_before_the_accounts_first_day() -> None:
    assert period_days(Period.MONTH, TODAY, date(2026, 3, 8)) == (date(2026, 3, 8), TODAY)
    assert period_days(Period.ALL, TODAY, None) == (TODAY, TODAY)


def test_a_deposit_is_not_a_return() -> None:
    closes = [
        DailyClose(date(2026, 3, 8), D(10_000), flows=D(10_000)),  # the sign-up deposit
        DailyClose(date(2026, 3, 9), D(21_000), flows=D(10_000)),  # +10,000 in, +1,000 made
        DailyClose(date(2026, 3, 10), D(20_580)),  # 420 lost
    ]

    report = trader_report([], closes, Period.WEEK, NOW)

    assert [r.value for r in report.returns] == [D(0), D("0.05"), D("-0.02")]
    assert [r.pnl for r in report.returns] == [D(0), D(1000), D(-420)]
    assert report.max_drawdown == D("0.02")


def test_a_day_without_a_close_keeps_the_equity_before_it() -> None:
    closes = [DailyClose(date(2026, 3, 8), D(500), flows=D(500))]

    report = trader_report([], closes, Period.WEEK, NOW)

    assert [(c.day, c.equity) for c in report.equity_curve] == [
        (date(2026, 3, 8), D(500)),
        (date(2026, 3, 9), D(500)),
        (date(2026, 3, 10), D(500)),
    ]


def test_a_period_counts_the_trades_closed_in_its_days_only() -> None:
    def closed_on(day: date) -> ClosedTrade:
        at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        return ClosedTrade("BTC-USD", Side.LONG, at - timedelta(hours=1), at, D(1), D(0), D(0))

    trades = [closed_on(date(2026, 3, 3)), closed_on(date(2026, 3, 4))]
    closes = [DailyClose(date(2026, 3, 1), D(100), flows=D(100))]

    report = trader_report(trades, closes, Period.WEEK, NOW)

    assert report.metrics.trades == 1
    assert [day.day for day in report.calendar] == [date(2026, 3, 4)]


EQUITIES = st.decimals(min_value=D(0), max_value=D(1_000_000), places=6)
FLOWS = st.decimals(min_value=D(-1000), max_value=D(100_000), places=6)
GROWTH = st.decimals(min_value=D("-0.9"), max_value=D(2), places=6)


@given(st.lists(st.tuples(GROWTH, FLOWS), min_size=1, max_size=40), st.integers(1, 10**6))
def test_flows_of_any_size_never_change_the_returns(
    days: list[tuple[Decimal, Decimal]], opening: int
) -> None:
    with localcontext() as exact:
        exact.prec = 60
        closes, equity = [], D(opening)
        for index, (growth, flow) in enumerate(days):
            flow = max(flow, -equity)  # nobody withdraws more than the account holds
            equity = (equity + flow) * (1 + growth)
            closes.append(DailyClose(date(2026, 1, 1) + timedelta(days=index), equity, flow))
        returns = daily_returns(closes, D(opening))

    for (growth, _flow), day in zip(days, returns, strict=True):
        if day.value is not None:  # a day that started with capital
            assert abs(day.value - growth) < D("1e-20")


@given(st.lists(st.tuples(st.integers(0, 120), EQUITIES), min_size=1, max_size=30))
def test_the_curves_last_point_is_the_equity_at_the_last_close(
    recorded: list[tuple[int, Decimal]],
) -> None:
    closes = {TODAY - timedelta(days=ago): equity for ago, equity in recorded}
    report = trader_report(
        [], [DailyClose(day, equity) for day, equity in closes.items()], Period.ALL, NOW
    )

    last_close = closes[max(closes)]
    assert (report.equity_curve[-1].day, report.equity_curve[-1].equity) == (TODAY, last_close)


PNL = st.decimals(min_value=D(-10_000), max_value=D(10_000), places=6)


@given(st.lists(st.tuples(PNL, st.decimals(min_value=D(0), max_value=D(50), places=6))))
def test_metrics_add_up(trades: list[tuple[Decimal, Decimal]]) -> None:
    journal = [ClosedTrade("ETH-USD", Side.SHORT, NOW, NOW, pnl, fee, D(0)) for pnl, fee in trades]

    metrics = trade_metrics(journal)

    assert metrics.wins + metrics.losses + metrics.break_evens == len(journal)
    assert metrics.gross_profit + metrics.gross_loss == metrics.net_pnl
    assert metrics.net_pnl == sum((p - f for p, f in trades), D(0))
    if metrics.win_rate is not None:
        assert 0 <= metrics.win_rate <= 1
    if metrics.profit_factor is not None:
        assert metrics.profit_factor >= 0
        assert (metrics.profit_factor >= 1) == (metrics.net_pnl >= 0) or abs(metrics.net_pnl) < D(
            "0.01"
        )
