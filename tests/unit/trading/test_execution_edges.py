"""Edges of how the practice venue fills and what follows a fill: the reason and moment an
order leaves the book (an ioc that did not cross, a reduce-only order with nothing left to
reduce, a stop larger than its position, a fill refused for margin), and which resting
orders are judged again when the position under them changes.

Built directly on the domain (no handlers), so each rule is seen at one call."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

from fakes import START, UNLOCKED
from test_liquidation import Book, resting

from astratrade.trading.domain.events import OrderCancelled, ShortfallCovered
from astratrade.trading.domain.execution import (
    cover_shortfall,
    enforce_loss_limit,
    fill_against_mark,
    fill_as_maker,
    fill_as_taker,
    review_resting,
)
from astratrade.trading.domain.orders import Liquidity, Order, OrderStatus, OrderType, Side
from astratrade.trading.domain.orders import TimeInForce as TIF

# Orders are placed at START; what happens to them later is stamped with the later moment.
LATER = START + timedelta(minutes=1)


def ending(o: Order) -> tuple[OrderStatus, str | None, object]:
    return o.status, o.reason, o.updated_at


def cancelled_events(book: Book) -> list[tuple[str, str, str]]:
    return [(e.order_id, e.status, e.reason) for e in book.events(OrderCancelled)]


def test_an_ioc_limit_that_does_not_cross_expires_with_its_reason() -> None:
    ioc = resting("ioc", "ETH-USD", Side.BUY, "1", "2990", time_in_force=TIF.IOC)
    book = Book("10000", [], {"ETH-USD": "3000"}, orders=[ioc])
    fill_against_mark(book.trader, ioc, book.venue, book.system, LATER, UNLOCKED)
    assert ending(ioc) == (OrderStatus.EXPIRED, "ioc order did not cross the mark", LATER)
    assert ioc.fills == []
    assert book.trader.open_orders == {}
    assert book.trader.collateral == D(10000)
    assert cancelled_events(book) == [("ioc", "expired", "ioc order did not cross the mark")]


def test_a_reduce_only_order_whose_position_turned_its_way_expires_unfilled() -> None:
    """A reduce-only sell left resting under a long that has since flipped short would only
    grow the short: nothing of it fills."""
    sell = resting("sell", "ETH-USD", Side.SELL, "1", "3000", reduce_only=True)
    book = Book("10000", [("ETH-USD", "-1", "3000")], {"ETH-USD": "3000"}, orders=[sell])
    fill_as_maker(book.trader, sell, book.venue, book.system, LATER, UNLOCKED)
    assert ending(sell) == (OrderStatus.EXPIRED, "no position left to reduce", LATER)
    assert sell.fills == []
    assert book.trader.positions["ETH-USD"].size == D(-1)
    assert book.trader.collateral == D(10000)
    assert cancelled_events(book) == [("sell", "expired", "no position left to reduce")]


def test_a_reduce_only_order_with_no_position_at_all_expires_unfilled() -> None:
    buy = resting("buy", "BTC-USD", Side.BUY, "0.1", "60000", reduce_only=True)
    book = Book("10000", [], {"BTC-USD": "60000"}, orders=[buy])
    fill_as_maker(book.trader, buy, book.venue, book.system, LATER, UNLOCKED)
    assert ending(buy) == (OrderStatus.EXPIRED, "no position left to reduce", LATER)
    assert book.trader.positions == {}


def test_a_stop_larger_than_its_position_closes_it_and_the_rest_expires() -> None:
    """The long shrank to 1 under a stop for 2: the stop sells 1 at the taker price, the
    other 1 expires, and the take-profit of the now flat position is cancelled with it."""
    stop = resting("stop", "ETH-USD", Side.SELL, "2", "3000", type=OrderType.STOP_LOSS)
    take = resting("take", "ETH-USD", Side.SELL, "1", "3500", type=OrderType.TAKE_PROFIT)
    book = Book("10000", [("ETH-USD", "1", "2900")], {"ETH-USD": "3000"}, orders=[stop, take])
    fill_as_taker(book.trader, stop, book.venue, book.system, LATER, UNLOCKED)
    (fill,) = stop.fills
    # 3000 less 1.03 bp of slippage, rounded down to the tick against the seller.
    assert (fill.size, fill.price, fill.liquidity) == (D(1), D("2999.69"), Liquidity.TAKER)
    assert fill.fee == D("0.749922")  # 2999.69 * 0.025% = 0.7499225, half-even
    assert fill.realized_pnl == D("99.69")
    assert book.trader.positions == {}
    assert book.trader.collateral == D("10098.940078")
    assert book.house.collateral == D("-98.940078")
    assert ending(stop) == (OrderStatus.EXPIRED, "reduce-only remainder: position is flat", LATER)
    assert stop.filled_size == D(1)
    assert ending(take) == (OrderStatus.CANCELLED, "position closed", LATER)
    assert book.trader.open_orders == {}
    assert cancelled_events(book) == [
        ("stop", "expired", "reduce-only remainder: position is flat"),
        ("take", "cancelled", "position closed"),
    ]
    assert book.total() == D(10000) + D(1000000)


def test_a_fill_refused_for_margin_fills_only_the_reducing_part() -> None:
    """The mark gaps from 3000 to 2500 through a bid for 3 under a short of 1: the 1 that
    closes the short fills at the limit as a maker; the 2 that would open a long at 2990,
    already $980 under water at the mark, are cancelled, saying why."""
    buy = resting("buy", "ETH-USD", Side.BUY, "3", "2990")
    book = Book("1500", [("ETH-USD", "-1", "3000")], {"ETH-USD": "2500"}, orders=[buy])
    fill_as_maker(book.trader, buy, book.venue, book.system, LATER, UNLOCKED)
    (fill,) = buy.fills
    assert (fill.size, fill.price, fill.fee, fill.realized_pnl) == (D(1), D(2990), D(0), D(10))
    assert book.trader.positions == {}
    assert book.trader.collateral == D(1510)
    # Available before: 1500 + 500 unrealized - 500 initial - 1196 reserved = 304; after:
    # 1510 - 980 unrealized - 1000 initial = -470.
    reason = "not filled: order needs $774 of margin and fee: $470 more than the $304 available"
    assert ending(buy) == (OrderStatus.CANCELLED, reason, LATER)
    assert buy.filled_size == D(1)
    assert cancelled_events(book) == [("buy", "cancelled", reason)]


def test_a_fill_refused_whole_leaves_the_other_resting_orders_of_its_market() -> None:
    """Nothing of the crossed buy fills (available is below 0 under the BTC loss), so the
    ETH position did not change: the other ETH bid is not judged again and keeps resting."""
    crossed = resting("crossed", "ETH-USD", Side.BUY, "1", "2990")
    lower = resting("lower", "ETH-USD", Side.BUY, "1", "2900")
    book = Book(
        "3000",
        [("BTC-USD", "1", "60000")],
        {"BTC-USD": "58000", "ETH-USD": "2990"},
        orders=[crossed, lower],
    )
    # Equity 1000 is above maintenance 290 but below the 11,600 initial margin.
    assert book.trader.margin(book.venue.marks, book.venue.markets).available < 0
    fill_as_maker(book.trader, crossed, book.venue, book.system, LATER, UNLOCKED)
    assert crossed.fills == []
    assert crossed.status is OrderStatus.CANCELLED
    assert str(crossed.reason).startswith("not filled: available margin is $-")
    assert lower.status is OrderStatus.OPEN
    assert list(book.trader.open_orders) == ["lower"]
    assert book.trader.collateral == D(3000)


def reviewed_book(collateral: str) -> tuple[Book, dict[str, Order]]:
    """A BTC long of 1 from 60,000 at 58,000 (initial margin 11,600, unrealized -2,000) with
    two bids that add to it (reserving 1,140 and 1,150), a sell and a stop that only reduce
    it, and an ETH bid (reserving 580): available is collateral - 16,470."""
    orders = {
        o.id: o
        for o in (
            resting("older-bid", "BTC-USD", Side.BUY, "0.1", "57000"),
            resting("newer-bid", "BTC-USD", Side.BUY, "0.1", "57500"),
            resting("reducing-sell", "BTC-USD", Side.SELL, "0.5", "59000"),
            resting("stop", "BTC-USD", Side.SELL, "1", "55000", type=OrderType.STOP_LOSS),
            resting("eth-bid", "ETH-USD", Side.BUY, "1", "2900"),
        )
    }
    book = Book(
        collateral,
        [("BTC-USD", "1", "60000")],
        {"BTC-USD": "58000", "ETH-USD": "3000"},
        orders=list(orders.values()),
    )
    return book, orders


def test_under_a_changed_position_the_newest_adding_order_goes_until_margin_is_back() -> None:
    book, orders = reviewed_book("15400")  # available -1,070
    review_resting(book.trader, book.venue, "BTC-USD", LATER, UNLOCKED)
    reason = (
        "the BTC-USD position under it changed and the margin this order needs is not "
        "available ($-1070 available)"
    )
    assert ending(orders["newer-bid"]) == (OrderStatus.CANCELLED, reason, LATER)
    # Without the newer bid's 1,150 available is 80: the older bid stays. Orders that only
    # reduce, and another market's, are not judged.
    assert list(book.trader.open_orders) == ["older-bid", "reducing-sell", "stop", "eth-bid"]
    assert all(o.status is OrderStatus.OPEN for o in book.trader.open_orders.values())
    assert cancelled_events(book) == [("newer-bid", "cancelled", reason)]


def test_under_a_changed_position_available_of_exactly_zero_keeps_every_order() -> None:
    book, orders = reviewed_book("16470")
    assert book.trader.margin(book.venue.marks, book.venue.markets).available == 0
    review_resting(book.trader, book.venue, "BTC-USD", LATER, UNLOCKED)
    assert list(book.trader.open_orders) == list(orders)
    assert book.events(OrderCancelled) == []


def test_reaching_the_daily_loss_limit_cancels_what_could_add_exposure() -> None:
    bid = resting("bid", "ETH-USD", Side.BUY, "1", "2900")
    stop = resting("stop", "ETH-USD", Side.SELL, "1", "2800", type=OrderType.STOP_LOSS)
    book = Book("10000", [("ETH-USD", "1", "3000")], {"ETH-USD": "3000"}, orders=[bid, stop])
    book.trader.daily_loss_limit = D(250)
    book.trader.settle(D(-250), LATER)  # today's loss reaches the limit exactly
    enforce_loss_limit(book.trader, LATER)
    assert ending(bid) == (OrderStatus.CANCELLED, "daily loss limit reached", LATER)
    assert list(book.trader.open_orders) == ["stop"]


def test_a_flat_negative_balance_is_covered_and_announced_for_that_account() -> None:
    book = Book("-50.5", [], {}, insurance="20")
    cover_shortfall(book.trader, book.system, LATER)
    assert book.trader.collateral == 0
    assert (book.insurance.collateral, book.house.collateral) == (D(0), D("-30.5"))
    assert book.events(ShortfallCovered) == [
        ShortfallCovered(
            account_id="trader", amount=D("50.5"), from_insurance=D(20), from_house=D("30.5")
        )
    ]
