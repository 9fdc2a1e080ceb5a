"""Trading rules: entry averaging on increases, realized P&L on reductions, flips; and the money
each fill moves between the trader and the house."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fakes import GRANT, START, Trading

from astratrade.shared.money import money
from astratrade.trading.domain.errors import InvalidOrder
from astratrade.trading.domain.events import OrderFilled, PositionClosed
from astratrade.trading.domain.position import Position

D = Decimal


def test_position_apply_averages_reduces_and_flips() -> None:
    p = Position("ETH-USD", D(0), D(100), START)
    assert p.apply(D(1), D(100)) == 0
    assert (p.size, p.entry_price) == (D(1), D(100))
    assert p.apply(D(3), D(200)) == 0  # (1*100 + 3*200) / 4
    assert (p.size, p.entry_price) == (D(4), D(175))
    assert p.apply(D(-1), D(215)) == D(40)  # 1 * (215 - 175) * +1
    assert (p.size, p.entry_price) == (D(3), D(175))  # entry unchanged by a reduction
    assert p.apply(D(-5), D(150)) == D(-75)  # closes 3 at -25 each, flips
    assert (p.size, p.entry_price) == (D(-2), D(150))  # the new side opened at the fill
    assert p.apply(D(-2), D(160)) == 0  # short increase: (-2*150 - 2*160) / -4
    assert (p.size, p.entry_price) == (D(-4), D(155))
    assert p.apply(D(1), D(140)) == D(15)  # short: 1 * (140 - 155) * -1
    assert p.apply(D(3), D(170)) == D(-45)  # 3 * (170 - 155) * -1, flat
    assert p.size == 0


def test_buy_then_increase_then_reduce_through_the_venue(trading: Trading) -> None:
    a = trading.open()
    first = trading.place(a, "ETH-USD", "buy", "1")
    # 3000 * (1 + 0.0001 + 0.0001 * 3000/100000) = 3000.309 -> 3000.31
    assert first.average_price == D("3000.31")
    assert first.fills[0].fee == D("0.750078")  # 3000.31 * 0.00025 = 0.7500775, half-even
    trading.move("ETH-USD", 3100)
    second = trading.place(a, "ETH-USD", "buy", "1")
    assert second.average_price == D("3100.32")  # 3100 * 1.0001031 = 3100.31961 -> up
    position = trading.account(a).positions["ETH-USD"]
    assert position.size == D(2)
    assert position.entry_price == D("3050.315")  # (3000.31 + 3100.32) / 2
    trading.move("ETH-USD", 3200)
    third = trading.place(a, "ETH-USD", "sell", "0.5")
    # 3200 * (1 - 0.0001016) = 3199.67488 -> down to 3199.67
    fill = third.fills[0]
    assert fill.price == D("3199.67")
    assert fill.realized_pnl == D("74.6775")  # 0.5 * (3199.67 - 3050.315)
    assert fill.fee == D("0.399959")  # 1599.835 * 0.00025 = 0.39995875
    assert trading.account(a).positions["ETH-USD"].size == D("1.5")
    assert trading.account(a).positions["ETH-USD"].entry_price == D("3050.315")
    fees = D("0.750078") + D("0.775080") + D("0.399959")
    assert trading.account(a).collateral == GRANT + D("74.6775") - fees
    assert trading.account(a).collateral == D("10072.752383")
    # The house took the other side of every cent.
    assert trading.total_collateral() == 0
    filled = trading.store.events(OrderFilled)
    assert [e.position_size for e in filled] == [D(1), D(2), D("1.5")]
    assert trading.store.events(PositionClosed) == []


def test_short_realizes_when_price_falls(trading: Trading) -> None:
    a = trading.open()
    trading.place(a, "BTC-USD", "sell", "0.1")  # 60000 * (1 - 0.000106) = 59993.64 -> 59993.6
    assert trading.account(a).positions["BTC-USD"].size == D("-0.1")
    assert trading.account(a).positions["BTC-USD"].entry_price == D("59993.6")
    trading.move("BTC-USD", 58000)
    close = trading.close(a, "BTC-USD")
    # 58000 * (1 + 0.0001058) = 58006.1364 -> up to 58006.2 (against the buyer)
    assert close.fills[0].price == D("58006.2")
    assert close.fills[0].realized_pnl == D("198.74")  # 0.1 * (58006.2 - 59993.6) * -1
    assert "BTC-USD" not in trading.account(a).positions
    closed = trading.store.events(PositionClosed)
    assert len(closed) == 1
    assert closed[0].realized_pnl == D("198.74")
    assert closed[0].liquidated is False
    fees = money(D("5999.36") * D("0.00025")) + money(D("5800.62") * D("0.00025"))
    assert fees == D("1.49984") + D("1.450155")
    assert trading.account(a).collateral == GRANT + D("198.74") - fees


def test_fill_larger_than_position_flips_it(trading: Trading) -> None:
    a = trading.open()
    trading.place(a, "ETH-USD", "buy", "1")  # at 3000.31
    trading.move("ETH-USD", 3010)
    flip = trading.place(a, "ETH-USD", "sell", "3")
    # 3010 * (1 - (0.0001 + 0.0001 * 9030/100000)) = 3009.6718197 -> 3009.67
    fill = flip.fills[0]
    assert fill.price == D("3009.67")
    assert fill.realized_pnl == D("9.36")  # only the closed 1: 1 * (3009.67 - 3000.31)
    position = trading.account(a).positions["ETH-USD"]
    assert (position.size, position.entry_price) == (D(-2), D("3009.67"))
    closed = trading.store.events(PositionClosed)
    assert [(e.market, e.realized_pnl, e.liquidated) for e in closed] == [
        ("ETH-USD", D("9.36"), False)
    ]
    assert trading.store.events(OrderFilled)[-1].position_size == D(-2)
    assert trading.total_collateral() == 0


def test_partial_reduces_accumulate_into_the_closed_event(trading: Trading) -> None:
    a = trading.open()
    trading.place(a, "SOL-USD", "buy", "10")  # 150.016 (see test_pricing)
    trading.move("SOL-USD", 160)
    r1 = trading.place(a, "SOL-USD", "sell", "4")
    # 4 * 160 = 640 notional: 160 * (1 - 0.00010064) = 159.9838976 -> 159.983
    assert r1.fills[0].price == D("159.983")
    assert r1.fills[0].realized_pnl == D("39.868")  # 4 * (159.983 - 150.016)
    r2 = trading.close(a, "SOL-USD")
    # 6 * 160 = 960 notional: 160 * (1 - 0.00010096) = 159.9838464 -> 159.983
    assert r2.fills[0].realized_pnl == D("59.802")  # 6 * (159.983 - 150.016)
    closed = trading.store.events(PositionClosed)
    assert [e.realized_pnl for e in closed] == [D("99.670")]  # 39.868 + 59.802


def test_a_position_left_below_the_minimum_still_closes_and_nothing_else_goes_below(
    trading: Trading,
) -> None:
    a = trading.open()
    trading.place(a, "ETH-USD", "buy", "0.0015")
    trading.place(a, "ETH-USD", "sell", "0.001")  # leaves 0.0005, below ETH's 0.001
    assert trading.account(a).positions["ETH-USD"].size == D("0.0005")
    for side, size in (("sell", "0.0002"), ("buy", "0.0005"), ("sell", "0.0004")):
        with pytest.raises(InvalidOrder, match="below the ETH-USD minimum"):
            trading.place(a, "ETH-USD", side, size)  # partial, or adding: the minimum holds
    closing = trading.close(a, "ETH-USD")
    assert [fill.size for fill in closing.fills] == [D("0.0005")]
    assert "ETH-USD" not in trading.account(a).positions
