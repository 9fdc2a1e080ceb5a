"""Trading rules: how the practice venue fills: market orders as takers, resting limits as makers
at their price, marketable limits never worse than their limit, ioc expiry, and stops and
take-profits triggered on mark as reduce-only market orders."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from fakes import GRANT, INSURANCE_SEED, Trading

from astratrade.shared.money import money
from astratrade.trading.domain.errors import Conflict, InvalidOrder, NotFound, OrderRejected
from astratrade.trading.domain.events import (
    OrderAccepted,
    OrderCancelled,
    OrderFilled,
    OrderTriggered,
    PositionClosed,
)
from astratrade.trading.domain.orders import Liquidity, OrderStatus

D = Decimal
TAKER = D("0.00025")


def test_market_order_fills_at_once_as_taker(trading: Trading) -> None:
    a = trading.open()
    order = trading.place(a, "ETH-USD", "buy", "1")
    assert order.status is OrderStatus.FILLED
    assert order.average_price == D("3000.31")
    (fill,) = order.fills
    assert fill.liquidity is Liquidity.TAKER
    assert fill.fee == money(D("3000.31") * TAKER) == D("0.750078")
    assert trading.account(a).open_orders == {}
    # The house paid the grant and the insurance seed, and took the fee.
    assert trading.house.collateral == -INSURANCE_SEED - GRANT + D("0.750078")
    event = trading.store.events(OrderFilled)[0]
    assert (event.price, event.fee, event.liquidity) == (D("3000.31"), D("0.750078"), "taker")


def test_limit_below_mark_rests_then_fills_as_maker_at_its_price(trading: Trading) -> None:
    a = trading.open()
    order = trading.place(a, "ETH-USD", "buy", "1", "limit", price="2950")
    assert order.status is OrderStatus.OPEN
    assert order.id in trading.account(a).open_orders
    assert trading.account(a).margin(trading.venue.marks, trading.venue.markets).order_margin == (
        D(590)  # 1 * 2950 / 5
    )
    trading.move("ETH-USD", "2950.01")
    assert order.status is OrderStatus.OPEN
    trading.move("ETH-USD", "2940")  # crosses: fills at its limit, not at the mark
    assert order.status is OrderStatus.FILLED
    (fill,) = order.fills
    assert (fill.price, fill.fee, fill.liquidity) == (D(2950), D(0), Liquidity.MAKER)
    assert trading.account(a).collateral == GRANT  # maker: no fee
    position = trading.account(a).positions["ETH-USD"]
    assert (position.size, position.entry_price) == (D(1), D(2950))
    assert trading.account(a).open_orders == {}


def test_limit_sell_above_mark_fills_when_mark_reaches_it(trading: Trading) -> None:
    a = trading.open()
    order = trading.place(a, "ETH-USD", "sell", "1", "limit", price="3050")
    trading.move("ETH-USD", "3049.99")
    assert order.status is OrderStatus.OPEN
    trading.move("ETH-USD", "3050")  # reaching the price is enough
    assert order.status is OrderStatus.FILLED
    assert order.fills[0].price == D(3050)
    assert order.fills[0].liquidity is Liquidity.MAKER
    assert trading.account(a).positions["ETH-USD"].size == D(-1)
    assert trading.account(a).collateral == GRANT


def test_marketable_limit_fills_as_taker_at_the_market_price(trading: Trading) -> None:
    a = trading.open()
    order = trading.place(a, "ETH-USD", "buy", "1", "limit", price="3010")
    assert order.status is OrderStatus.FILLED
    assert order.fills[0].price == D("3000.31")  # better than its limit
    assert order.fills[0].liquidity is Liquidity.TAKER
    assert order.fills[0].fee == D("0.750078")


def test_marketable_limit_never_fills_worse_than_its_limit(trading: Trading) -> None:
    a = trading.open()
    buy = trading.place(a, "ETH-USD", "buy", "1", "limit", price="3000.2")
    # The taker price would be 3000.31: capped at the limit.
    assert buy.fills[0].price == D("3000.2")
    assert buy.fills[0].fee == money(D("3000.2") * TAKER) == D("0.75005")
    assert buy.fills[0].liquidity is Liquidity.TAKER
    sell = trading.place(a, "ETH-USD", "sell", "1", "limit", price="2999.8")
    assert sell.fills[0].price == D("2999.8")  # not the 2999.69 taker price
    assert sell.fills[0].realized_pnl == D("-0.4")


def test_ioc_limit_that_does_not_cross_expires(trading: Trading) -> None:
    a = trading.open()
    order = trading.place(a, "ETH-USD", "buy", "1", "limit", price="2990", time_in_force="ioc")
    assert order.status is OrderStatus.EXPIRED
    assert order.filled_size == 0
    assert trading.account(a).open_orders == {}
    assert trading.account(a).positions == {}
    assert trading.account(a).collateral == GRANT
    (cancelled,) = trading.store.events(OrderCancelled)
    assert (cancelled.order_id, cancelled.status) == (order.id, "expired")
    trading.move("ETH-USD", "2900")
    assert trading.account(a).positions == {}  # it is gone for good
    crossing = trading.place(a, "ETH-USD", "buy", "1", "limit", price="2990", time_in_force="ioc")
    assert crossing.status is OrderStatus.FILLED


def long_eth(trading: Trading) -> str:
    a = trading.open()
    trading.place(a, "ETH-USD", "buy", "1")  # at 3000.31
    return a


def short_eth(trading: Trading) -> str:
    a = trading.open()
    trading.place(a, "ETH-USD", "sell", "1")  # at 2999.69
    return a


def test_stop_loss_on_a_long_triggers_when_mark_falls_to_it(trading: Trading) -> None:
    a = long_eth(trading)
    stop = trading.place(a, "ETH-USD", "sell", "1", "stop_loss", trigger_price="2900")
    assert stop.status is OrderStatus.OPEN
    assert stop.reduce_only
    trading.move("ETH-USD", "2900.01")
    assert stop.status is OrderStatus.OPEN
    trading.move("ETH-USD", "2900")
    assert stop.status is OrderStatus.FILLED
    (fill,) = stop.fills
    # A market sell at 2900: 2900 * (1 - 0.0001029) = 2899.70159 -> 2899.70
    assert (fill.price, fill.liquidity) == (D("2899.7"), Liquidity.TAKER)
    assert fill.fee == D("0.724925")  # 2899.70 * 0.00025
    assert fill.realized_pnl == D("-100.61")  # 2899.70 - 3000.31
    assert trading.account(a).positions == {}
    (triggered,) = trading.store.events(OrderTriggered)
    assert (triggered.order_id, triggered.mark) == (stop.id, D(2900))
    assert trading.account(a).collateral == GRANT - D("0.750078") - D("100.61") - D("0.724925")


def test_stop_loss_on_a_long_fills_at_the_gapped_mark(trading: Trading) -> None:
    a = long_eth(trading)
    stop = trading.place(a, "ETH-USD", "sell", "1", "stop_loss", trigger_price="2900")
    trading.move("ETH-USD", "2800")
    # Triggered on mark, executed as a market order at the new mark: 2799.71216 -> 2799.71
    assert stop.fills[0].price == D("2799.71")


def test_take_profit_on_a_long_triggers_when_mark_rises_to_it(trading: Trading) -> None:
    a = long_eth(trading)
    tp = trading.place(a, "ETH-USD", "sell", "1", "take_profit", trigger_price="3100")
    trading.move("ETH-USD", "3099.99")
    assert tp.status is OrderStatus.OPEN
    trading.move("ETH-USD", "3100")
    assert tp.status is OrderStatus.FILLED
    # 3100 * (1 - 0.0001031) = 3099.68039 -> 3099.68
    assert (tp.fills[0].price, tp.fills[0].liquidity) == (D("3099.68"), Liquidity.TAKER)
    assert tp.fills[0].realized_pnl == D("99.37")
    assert tp.fills[0].fee == D("0.77492")


def test_stop_loss_on_a_short_triggers_when_mark_rises_to_it(trading: Trading) -> None:
    a = short_eth(trading)
    stop = trading.place(a, "ETH-USD", "buy", "1", "stop_loss", trigger_price="3100")
    trading.move("ETH-USD", "3099.99")
    assert stop.status is OrderStatus.OPEN
    trading.move("ETH-USD", "3100")
    # A market buy at 3100: 3100.31961 -> up to 3100.32
    assert (stop.fills[0].price, stop.fills[0].liquidity) == (D("3100.32"), Liquidity.TAKER)
    assert stop.fills[0].realized_pnl == D("-100.63")  # (3100.32 - 2999.69) * -1
    assert trading.account(a).positions == {}


def test_take_profit_on_a_short_triggers_when_mark_falls_to_it(trading: Trading) -> None:
    a = short_eth(trading)
    tp = trading.place(a, "ETH-USD", "buy", "1", "take_profit", trigger_price="2900")
    trading.move("ETH-USD", "2900.01")
    assert tp.status is OrderStatus.OPEN
    trading.move("ETH-USD", "2900")
    assert tp.fills[0].price == D("2900.3")  # 2900.29841 -> up
    assert tp.fills[0].realized_pnl == D("99.39")  # (2900.30 - 2999.69) * -1
    assert tp.fills[0].liquidity is Liquidity.TAKER


def test_one_trigger_closing_the_position_cancels_the_other(trading: Trading) -> None:
    a = long_eth(trading)
    stop = trading.place(a, "ETH-USD", "sell", "1", "stop_loss", trigger_price="2900")
    tp = trading.place(a, "ETH-USD", "sell", "1", "take_profit", trigger_price="3100")
    trading.move("ETH-USD", "3150")
    assert tp.status is OrderStatus.FILLED
    assert trading.store.orders[stop.id].status is OrderStatus.CANCELLED
    assert trading.store.orders[stop.id].reason == "position closed"
    assert trading.account(a).open_orders == {}
    trading.move("ETH-USD", "2800")
    assert trading.account(a).positions == {}
    assert len(trading.store.events(OrderTriggered)) == 1


def test_closing_the_position_cancels_its_stops_and_take_profits(trading: Trading) -> None:
    a = long_eth(trading)
    stop = trading.place(a, "ETH-USD", "sell", "1", "stop_loss", trigger_price="2900")
    tp = trading.place(a, "ETH-USD", "sell", "1", "take_profit", trigger_price="3100")
    other = trading.place(a, "BTC-USD", "buy", "0.01", "limit", price="50000")
    trading.place(a, "ETH-USD", "sell", "0.5")  # a partial reduce keeps them
    assert set(trading.account(a).open_orders) == {stop.id, tp.id, other.id}
    trading.close(a, "ETH-USD")
    assert set(trading.account(a).open_orders) == {other.id}
    cancelled = {e.order_id: (e.status, e.reason) for e in trading.store.events(OrderCancelled)}
    assert cancelled == {
        stop.id: ("cancelled", "position closed"),
        tp.id: ("cancelled", "position closed"),
    }
    closed = trading.store.events(PositionClosed)
    assert [(e.market, e.liquidated) for e in closed] == [("ETH-USD", False)]


def test_a_stop_its_position_outgrew_closes_only_the_position(trading: Trading) -> None:
    a = long_eth(trading)
    stop = trading.place(a, "ETH-USD", "sell", "1", "stop_loss", trigger_price="2900")
    trading.place(a, "ETH-USD", "sell", "0.4")  # the position shrinks under the stop
    trading.move("ETH-USD", "2900")
    assert stop.filled_size == D("0.6")
    assert stop.status is OrderStatus.EXPIRED  # the remainder had nothing to reduce
    assert trading.account(a).positions == {}


@pytest.mark.parametrize(("kind", "trigger"), [("stop_loss", "2900"), ("take_profit", "3100")])
def test_a_trigger_order_larger_than_the_position_is_refused_naming_both(
    trading: Trading, kind: str, trigger: str
) -> None:
    a = long_eth(trading)
    with pytest.raises(InvalidOrder) as refused:
        trading.place(a, "ETH-USD", "sell", "5", kind, trigger_price=trigger)
    assert refused.value.field == "size"
    assert str(refused.value) == (
        f"size 5 is larger than your ETH-USD long of 1: a {kind} closes at most the "
        "position, send its size or less"
    )
    assert trading.account(a).open_orders == {}
    exact = trading.place(a, "ETH-USD", "sell", "1", kind, trigger_price=trigger)
    assert exact.status is OrderStatus.OPEN


def test_a_wrong_side_stop_says_which_position_it_would_protect(trading: Trading) -> None:
    flat = trading.open()
    with pytest.raises(
        OrderRejected,
        match=re.escape("a sell stop_loss protects a long; you have no long ETH-USD position"),
    ):
        trading.place(flat, "ETH-USD", "sell", "1", "stop_loss", trigger_price="2900")
    a = long_eth(trading)
    with pytest.raises(
        OrderRejected,
        match=re.escape(
            "a buy stop_loss protects a short; you have no short ETH-USD position "
            "(your ETH-USD position is a long of 1)"
        ),
    ):
        trading.place(a, "ETH-USD", "buy", "1", "stop_loss", trigger_price="3100")
    with pytest.raises(
        OrderRejected,
        match=re.escape(
            "a buy reduce_only market order reduces a short; you have no short ETH-USD position "
            "(your ETH-USD position is a long of 1)"
        ),
    ):
        trading.place(a, "ETH-USD", "buy", "1", reduce_only=True)


def test_cancel_order(trading: Trading) -> None:
    a = trading.open()
    order = trading.place(a, "ETH-USD", "buy", "1", "limit", price="2900")
    cancelled = trading.cancel(a, order.id)
    assert cancelled.status is OrderStatus.CANCELLED
    assert trading.account(a).open_orders == {}
    assert trading.account(a).margin(trading.venue.marks, trading.venue.markets).available == GRANT
    with pytest.raises(Conflict):
        trading.cancel(a, order.id)
    with pytest.raises(NotFound):
        trading.cancel(a, "no-such-order")
    resting = trading.place(a, "ETH-USD", "buy", "1", "limit", price="2900")
    b = trading.open("trader-2")
    with pytest.raises(NotFound):  # another trader's order is not found either
        trading.cancel(b, resting.id)
    assert resting.id in trading.account(a).open_orders
    assert len(trading.store.events(OrderAccepted)) == 2


def test_slippage_of_an_oversized_reduce_only_market_order(trading: Trading) -> None:
    a = long_eth(trading)
    order = trading.place(a, "ETH-USD", "sell", "300", reduce_only=True)
    # 1 ETH fills: 2999.69 as any 1 ETH market sell at 3000; priced on 300 ETH ($900k) it
    # is 3000 * (1 - 0.001) = 2997.00.
    assert order.fills[0].size == D(1)
    assert order.fills[0].price == D("2999.69")
