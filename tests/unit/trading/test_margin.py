"""Trading rules: initial and maintenance margin, risk tiers, unrealized P&L, available margin."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fakes import MARKETS, START

from astratrade.trading.domain.account_terms import LeverageSettings
from astratrade.trading.domain.margin import (
    initial_margin,
    maintenance_margin,
    orders_reserve,
    summarize,
    unrealized_pnl,
)
from astratrade.trading.domain.orders import Order, OrderType, Side, TimeInForce
from astratrade.trading.domain.position import Position

D = Decimal


def position(market: str, size: str, entry: str) -> Position:
    return Position(market, D(size), D(entry), START)


def limit(
    market: str,
    side: Side,
    size: str,
    price: str,
    *,
    reduce_only: bool = False,
    type: OrderType = OrderType.LIMIT,
) -> Order:
    return Order(
        id=f"o-{market}-{side}-{size}",
        account_id="a",
        market=market,
        side=side,
        type=type,
        size=D(size),
        price=D(price) if type is OrderType.LIMIT else None,
        trigger_price=None if type is OrderType.LIMIT else D(price),
        reduce_only=reduce_only,
        time_in_force=TimeInForce.GTC,
        client_order_id=None,
        created_at=START,
    )


def test_initial_margin_is_size_times_mark_over_leverage_per_market() -> None:
    positions = [position("BTC-USD", "0.5", "60000"), position("ETH-USD", "-2", "3000")]
    marks = {"BTC-USD": D(62000), "ETH-USD": D(3100)}
    leverage = LeverageSettings(D(5), {"ETH-USD": D(10)})
    # 0.5 * 62000 / 5 + |-2| * 3100 / 10 = 6200 + 620: at mark, not at entry.
    assert initial_margin(positions, marks, leverage) == D(6820)


def test_leverage_settings_default_applies_to_markets_never_set() -> None:
    leverage = LeverageSettings(D(5), {"ETH-USD": D(10)})
    assert leverage["BTC-USD"] == D(5)
    assert leverage["ETH-USD"] == D(10)


@pytest.mark.parametrize(
    ("market", "rates"),
    [
        ("BTC-USD", ["0.005", "0.01", "0.025", "0.05"]),
        ("ETH-USD", ["0.005", "0.01", "0.025", "0.05"]),
        ("SOL-USD", ["0.01", "0.025", "0.05"]),
        ("STRK-USD", ["0.025", "0.05", "0.1"]),
    ],
)
def test_maintenance_rate_is_half_over_the_tier_max_leverage(market: str, rates: list[str]) -> None:
    assert [t.maintenance_rate for t in MARKETS[market].tiers] == [D(r) for r in rates]


@pytest.mark.parametrize(
    ("notional", "max_leverage"),
    [
        ("0", 100),
        ("200000", 100),
        ("200000.01", 50),
        ("1000000", 50),
        ("1000000.01", 20),
        ("5000000", 20),
        ("5000000.01", 10),
        ("900000000", 10),
    ],
)
def test_btc_tiers_switch_at_their_notional_bounds(notional: str, max_leverage: int) -> None:
    assert MARKETS["BTC-USD"].tier_for(D(notional)).max_leverage == D(max_leverage)


@pytest.mark.parametrize(
    ("market", "notional", "max_leverage"),
    [
        ("ETH-USD", "100000", 100),
        ("ETH-USD", "100000.01", 50),
        ("ETH-USD", "2000000.01", 10),
        ("SOL-USD", "100000", 50),
        ("SOL-USD", "500000.01", 10),
        ("STRK-USD", "50000", 20),
        ("STRK-USD", "50000.01", 10),
        ("STRK-USD", "200000.01", 5),
    ],
)
def test_other_markets_tier_bounds(market: str, notional: str, max_leverage: int) -> None:
    assert MARKETS[market].tier_for(D(notional)).max_leverage == D(max_leverage)


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ("4", "1000"),  # 200_000 notional, 100x tier: 0.5% -> 1000
        ("-4", "1000"),  # shorts by |size|
        ("4.00002", "2000.01"),  # 200_001: the 50x tier, 1%
        ("20", "10000"),  # 1_000_000: still 50x
        ("20.00002", "25000.025"),  # 1_000_001: 20x tier, 2.5%
        ("100", "125000"),  # 5_000_000: 20x
        ("100.00002", "250000.05"),  # 5_000_001: 10x tier, 5%
    ],
)
def test_btc_maintenance_margin_by_tier(size: str, expected: str) -> None:
    marks = {"BTC-USD": D(50000)}
    got = maintenance_margin([position("BTC-USD", size, "60000")], marks, MARKETS)
    assert got == D(expected)


def test_unrealized_pnl_is_signed_size_times_mark_minus_entry() -> None:
    marks = {"BTC-USD": D(59000), "ETH-USD": D(3100)}
    assert unrealized_pnl([position("BTC-USD", "0.5", "60000")], marks) == D(-500)
    assert unrealized_pnl([position("BTC-USD", "-0.5", "60000")], marks) == D(500)
    assert unrealized_pnl([position("ETH-USD", "-2", "3000")], marks) == D(-200)
    assert unrealized_pnl(
        [position("BTC-USD", "0.5", "60000"), position("ETH-USD", "2", "3000")], marks
    ) == D(-300)


def _reserve(order: Order, position: Position | None, leverage: Decimal) -> Decimal:
    positions = {position.market: position} if position else {}
    return orders_reserve([order], positions, {order.market: leverage})


def test_order_reserve_only_for_exposure_a_resting_limit_adds() -> None:
    long = position("BTC-USD", "0.5", "60000")
    # Same side: all of it at the limit price over leverage.
    assert _reserve(limit("BTC-USD", Side.BUY, "0.2", "59000"), long, D(5)) == D(2360)
    # Opposite side: only the part beyond the position (0.8 - 0.5 = 0.3).
    assert _reserve(limit("BTC-USD", Side.SELL, "0.8", "61000"), long, D(5)) == D(3660)
    assert _reserve(limit("BTC-USD", Side.SELL, "0.4", "61000"), long, D(5)) == D(0)
    assert _reserve(limit("BTC-USD", Side.SELL, "1", "61000", reduce_only=True), long, D(5)) == 0
    stop = limit("BTC-USD", Side.SELL, "0.5", "55000", type=OrderType.STOP_LOSS)
    assert _reserve(stop, long, D(5)) == D(0)
    assert _reserve(limit("BTC-USD", Side.SELL, "0.8", "61000"), None, D(10)) == D(4880)


def test_a_position_covers_opposite_orders_only_once() -> None:
    long = {"BTC-USD": position("BTC-USD", "1", "60000")}
    sells = [limit("BTC-USD", Side.SELL, "1", "61000"), limit("BTC-USD", Side.SELL, "1", "62000")]
    # The first sell closes the long; the second would open a 1 BTC short at 62000: 5x margin.
    assert orders_reserve(sells, long, {"BTC-USD": D(5)}) == D(12400)


def test_summary_equity_available_and_margin_ratio() -> None:
    positions = {"BTC-USD": position("BTC-USD", "0.5", "60000")}
    orders = [limit("ETH-USD", Side.BUY, "1", "2900")]
    marks = {"BTC-USD": D(59000), "ETH-USD": D(3000)}
    summary = summarize(D(10000), positions, orders, marks, MARKETS, LeverageSettings(D(5)))
    assert summary.collateral == D(10000)
    assert summary.unrealized_pnl == D(-500)
    assert summary.equity == D(9500)
    assert summary.initial_margin == D(5900)  # 0.5 * 59000 / 5
    assert summary.maintenance_margin == D("147.5")  # 29500 * 0.005
    assert summary.order_margin == D(580)  # 1 * 2900 / 5
    assert summary.available == D(3020)  # 9500 - 5900 - 580
    assert summary.margin_ratio == D("147.5") / D(9500)


def test_margin_ratio_without_equity() -> None:
    positions = {"BTC-USD": position("BTC-USD", "1", "60000")}
    marks = {"BTC-USD": D(50000)}
    summary = summarize(D(5000), positions, [], marks, MARKETS, LeverageSettings(D(5)))
    assert summary.equity == D(-5000)
    assert summary.margin_ratio == D("Infinity")
    flat = summarize(D(0), {}, [], marks, MARKETS, LeverageSettings(D(5)))
    assert flat.margin_ratio is None
