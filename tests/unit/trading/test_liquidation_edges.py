"""Edges of liquidation: the moment its cancellations carry, what a leading account's
liquidation close tells copy trading, the fee capped by an equity that is not on the
micro-dollar grid, and a long no positive price can liquidate."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

from fakes import MARKETS, START
from test_liquidation import Book, resting

from astratrade.trading.domain.events import (
    AccountLiquidated,
    LeaderFilled,
    OrderFilled,
    ShortfallCovered,
)
from astratrade.trading.domain.liquidation import liquidate
from astratrade.trading.domain.liquidation_price import liquidation_price
from astratrade.trading.domain.orders import OrderStatus, OrderType, Side
from astratrade.trading.domain.position import Position

LATER = START + timedelta(minutes=1)


def test_orders_cancelled_by_a_liquidation_carry_its_moment() -> None:
    stop = resting("stop", "BTC-USD", Side.SELL, "1", "50000", OrderType.STOP_LOSS)
    bid = resting("bid", "ETH-USD", Side.BUY, "1", "2500")
    book = Book("1000", [("BTC-USD", "1", "60000")], {"BTC-USD": "58000"}, orders=[stop, bid])
    assert liquidate(book.trader, book.venue, book.system, LATER)
    for cancelled in (stop, bid):
        assert (cancelled.status, cancelled.reason, cancelled.updated_at) == (
            OrderStatus.CANCELLED,
            "liquidation",
            LATER,
        )


def test_a_leading_account_announces_its_liquidation_close_with_the_equity_left() -> None:
    """Equity 300 <= maintenance 350: STRK (-2000) closes first, and the ETH long it leaves
    open is still at the marks when the close is announced: equity 400 - 100 = 300."""
    book = Book(
        "2400",
        [("ETH-USD", "10", "3010"), ("STRK-USD", "20000", "0.5")],
        {"ETH-USD": "3000", "STRK-USD": "0.4"},
    )
    book.trader.set_leading(True)
    assert liquidate(book.trader, book.venue, book.system, LATER)
    assert list(book.trader.positions) == ["ETH-USD"]
    (filled,) = book.events(OrderFilled)
    (announced,) = book.events(LeaderFilled)
    assert announced == LeaderFilled(
        fill_id=filled.fill_id,
        account_id="trader",
        owner_id="owner",
        market="STRK-USD",
        side="sell",
        size=D(20000),
        price=D("0.4"),
        position_before=D(20000),
        equity=D(300),  # before the 80 fee is charged
        leverage=D(5),
        liquidation=True,
    )


def test_a_fee_capped_by_an_off_grid_equity_is_rounded_down_to_the_micro_dollar() -> None:
    """The ETH long of 3 was bought at 3000.01 then 3000 twice: its exact average entry is
    off the money grid, so after the BTC close the equity left is 0.5 - 0.00999… =
    0.49000…01. The fee, 1% of 58,900, is capped at that equity rounded down, 0.49: rounded
    up it would take a micro-dollar the account does not have. ETH's close then realizes
    -0.01 and the account ends at exactly 0, with no shortfall to cover."""
    book = Book(
        "1100.5",
        [("BTC-USD", "1", "60000"), ("ETH-USD", "3", "3000.01")],
        {"BTC-USD": "58900", "ETH-USD": "3000"},
    )
    eth = book.trader.positions["ETH-USD"]
    book.trader.positions["ETH-USD"] = Position(
        "ETH-USD", D(3), (D("3000.01") + 2 * D(3000)) / 3, eth.opened_at
    )
    assert liquidate(book.trader, book.venue, book.system, LATER)
    assert book.trader.positions == {}
    (liquidated,) = book.events(AccountLiquidated)
    assert liquidated.markets == ["BTC-USD", "ETH-USD"]
    assert liquidated.liquidation_fee == D("0.49")
    assert book.trader.collateral == 0
    assert book.events(ShortfallCovered) == []
    assert book.insurance.collateral == D("1000000.49")
    assert book.total() == D("1100.5") + D(1000000)


def test_a_long_backed_in_full_by_its_collateral_has_no_liquidation_price() -> None:
    """A 1x long: only a mark of 0 would bring its equity to its (zero) maintenance, and 0
    is no price."""
    marks = {m.id: m.start_price for m in MARKETS.values()}
    positions = {"ETH-USD": Position("ETH-USD", D(1), D(3000), START)}
    assert liquidation_price(D(3000), positions, marks, MARKETS, "ETH-USD") is None
