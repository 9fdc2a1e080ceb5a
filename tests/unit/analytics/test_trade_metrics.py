"""Trade metrics on a hand-worked journal of five trades (figures worked out in the
comments, independently of the code)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from astratrade.analytics.domain.trade_metrics import by_market, by_side, trade_metrics
from astratrade.analytics.domain.trades import ClosedTrade, Outcome, Side

D = Decimal
START = datetime(2026, 3, 2, 9, tzinfo=UTC)


def trade(
    market: str,
    side: Side,
    realized: str,
    fees: str,
    funding: str,
    held: timedelta,
    risk: str | None = None,
) -> ClosedTrade:
    return ClosedTrade(
        market=market,
        side=side,
        opened_at=START,
        closed_at=START + held,
        realized_pnl=D(realized),
        fees=D(fees),
        funding=D(funding),
        risk_at_stop=None if risk is None else D(risk),
    )


JOURNAL = [
    # net 300 - 10 - 5 = 285, R = 285 / 100 = 2.85
    trade("BTC-USD", Side.LONG, "300", "10", "5", timedelta(hours=1), risk="100"),
    # net -120 - 6 + 2 (funding received) = -124, R = -124 / 62 = -2
    trade("BTC-USD", Side.SHORT, "-120", "6", "-2", timedelta(hours=2), risk="62"),
    # net 50 - 5 = 45, no stop: no R
    trade("ETH-USD", Side.LONG, "50", "5", "0", timedelta(minutes=30)),
    # net 4 - 4 = 0: a break-even, R = 0
    trade("ETH-USD", Side.LONG, "4", "4", "0", timedelta(minutes=90), risk="40"),
    # net -200 - 8 - 2 = -210, no stop
    trade("SOL-USD", Side.SHORT, "-200", "8", "2", timedelta(hours=4)),
]


def test_outcome_when_net_pnl_is_zero_is_a_break_even() -> None:
    assert [t.outcome for t in JOURNAL] == [
        Outcome.WIN,
        Outcome.LOSS,
        Outcome.WIN,
        Outcome.BREAK_EVEN,
        Outcome.LOSS,
    ]


def test_metrics_of_the_hand_worked_journal() -> None:
    metrics = trade_metrics(JOURNAL)

    assert (metrics.trades, metrics.wins, metrics.losses, metrics.break_evens) == (5, 2, 2, 1)
    assert metrics.win_rate == D("0.5")  # 2 wins / (2 wins + 2 losses): the break-even apart
    assert metrics.gross_profit == D(330)  # 285 + 45
    assert metrics.gross_loss == D(-334)  # -124 - 210
    assert metrics.profit_factor == D("0.988024")  # 330 / 334 = 0.98802395...
    assert metrics.net_pnl == D(-4)
    assert metrics.expectancy == D("-0.8")  # -4 / 5 trades
    assert metrics.average_win == D(165)  # (285 + 45) / 2
    assert metrics.average_loss == D(-167)  # (-124 - 210) / 2
    assert metrics.trades_with_stop == 3
    assert metrics.average_r == D("0.283333")  # (2.85 - 2 + 0) / 3 = 0.28333...
    assert metrics.average_hold_seconds == D(6480)  # (3600 + 7200 + 1800 + 5400 + 14400) / 5
    assert metrics.fees == D(33)
    assert metrics.funding == D(5)  # 5 - 2 + 0 + 0 + 2


def test_metrics_when_no_trade_lost_have_no_profit_factor() -> None:
    metrics = trade_metrics([JOURNAL[0], JOURNAL[3]])

    assert metrics.profit_factor is None
    assert metrics.win_rate == D(1)
    assert metrics.average_loss is None


def test_metrics_of_no_trades_are_empty_not_zero() -> None:
    metrics = trade_metrics([])

    assert metrics.trades == 0
    assert metrics.win_rate is None
    assert metrics.expectancy is None
    assert metrics.average_r is None
    assert metrics.average_hold_seconds is None


def test_metrics_when_a_stop_carried_no_risk_leave_it_out_of_average_r() -> None:
    no_risk = trade("BTC-USD", Side.LONG, "10", "0", "0", timedelta(hours=1), risk="0")

    assert trade_metrics([no_risk]).trades_with_stop == 0


def test_by_side_splits_long_and_short() -> None:
    sides = by_side(JOURNAL)

    assert sides[Side.LONG].trades == 3
    assert sides[Side.LONG].net_pnl == D(330)  # 285 + 45 + 0
    assert sides[Side.SHORT].trades == 2
    assert sides[Side.SHORT].net_pnl == D(-334)


def test_by_market_gives_one_entry_per_market_traded() -> None:
    markets = by_market(JOURNAL)

    assert list(markets) == ["BTC-USD", "ETH-USD", "SOL-USD"]
    assert markets["BTC-USD"].profit_factor == D("2.298387")  # 285 / 124 = 2.2983870...
    assert markets["ETH-USD"].win_rate == D(1)  # one win, one break-even
    assert markets["SOL-USD"].win_rate == D(0)
