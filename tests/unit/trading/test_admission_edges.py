"""Edges of order admission (docs/trading-rules.md): the plan's open-order limit reached
exactly, which orders count as resting, what "only reduces" counts, the price a position's
tier is judged at, and the exact words of each refusal a trader reads."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal as D

import pytest
from fakes import START, Trading

from astratrade.trading import handlers
from astratrade.trading.domain.admission import only_reduces, sized_at
from astratrade.trading.domain.commands import OpenTournamentAccount, PlaceOrder
from astratrade.trading.domain.errors import (
    InsufficientMargin,
    InvalidOrder,
    LossLimitReached,
    OrderRejected,
)
from astratrade.trading.domain.exposure import available_after_fill
from astratrade.trading.domain.orders import (
    Fill,
    Liquidity,
    Order,
    OrderStatus,
    OrderType,
    Side,
    TimeInForce,
)


def place_under_plan(trading: Trading, cmd: PlaceOrder, most: int) -> Order:
    """Place as a trader whose plan allows `most` open orders per account."""

    async def free_plan(owner_id: str) -> tuple[str, int]:
        return ("free", most)

    order: Order = trading.call(
        lambda uow: handlers.place_order(cmd, uow, trading.venue, trading.now, free_plan)
    )
    return order


def unplaced(
    market: str,
    side: Side,
    size: str,
    type: OrderType = OrderType.LIMIT,
    price: str | None = None,
) -> Order:
    """An order as the trader sends it, before admission (not on the account yet)."""
    return Order(
        id="new",
        account_id="a",
        market=market,
        side=side,
        type=type,
        size=D(size),
        price=None if price is None else D(price),
        trigger_price=None,
        reduce_only=False,
        time_in_force=TimeInForce.GTC,
        client_order_id=None,
        created_at=START,
    )


# -- the plan's open-order limit ---------------------------------------------------------


def test_the_plan_limit_refuses_a_resting_order_once_exactly_reached(trading: Trading) -> None:
    a = trading.open()
    trading.place(a, "BTC-USD", "buy", "0.01", "limit", price="50000")
    second = trading.place_command(a, "BTC-USD", "buy", "0.01", "limit", price="49000")
    with pytest.raises(OrderRejected) as raised:
        place_under_plan(trading, second, most=1)
    assert str(raised.value) == (
        "the free plan allows 1 open orders per account; a higher plan allows more"
    )
    assert len(trading.account(a).open_orders) == 1
    assert place_under_plan(trading, second, most=2).status is OrderStatus.OPEN


def test_a_stop_waits_for_its_trigger_so_it_counts_against_the_plan(trading: Trading) -> None:
    a = trading.open()
    trading.place(a, "BTC-USD", "buy", "0.1")
    trading.place(a, "BTC-USD", "buy", "0.01", "limit", price="50000")
    stop = trading.place_command(a, "BTC-USD", "sell", "0.1", "stop_loss", trigger_price="55000")
    with pytest.raises(OrderRejected, match="the free plan allows 1 open orders"):
        place_under_plan(trading, stop, most=1)


def test_an_ioc_limit_never_rests_so_the_plan_does_not_count_it(trading: Trading) -> None:
    a = trading.open()
    trading.place(a, "BTC-USD", "buy", "0.01", "limit", price="50000")
    ioc = trading.place_command(
        a, "BTC-USD", "buy", "0.01", "limit", price="50000", time_in_force="ioc"
    )
    order = place_under_plan(trading, ioc, most=1)
    assert order.status is OrderStatus.EXPIRED  # below the mark: nothing fills, it ends
    assert order.reason == "ioc order did not cross the mark"
    assert len(trading.account(a).open_orders) == 1


# -- where an account may trade, and what reduce-only means -------------------------------


def test_a_tournament_account_names_all_its_markets_when_refusing_another(
    trading: Trading,
) -> None:
    cmd = OpenTournamentAccount(
        owner_id="trader-1",
        account_id="tour-1",
        starting_capital=D(10_000),
        markets=("BTC-USD", "ETH-USD"),
        opens_at=trading.now,
        closes_at=trading.now + timedelta(hours=4),
    )
    trading.call(lambda uow: handlers.open_tournament_account(cmd, uow, trading.venue, trading.now))
    with pytest.raises(InvalidOrder) as raised:
        trading.place("tour-1", "SOL-USD", "buy", "1")
    assert raised.value.field == "market"
    assert raised.value.message == "this tournament account trades BTC-USD, ETH-USD only"


def test_reduce_only_without_a_position_says_what_it_would_reduce(trading: Trading) -> None:
    a = trading.open()
    with pytest.raises(OrderRejected) as raised:
        trading.place(a, "BTC-USD", "sell", "0.1", reduce_only=True)
    assert str(raised.value) == (
        "a sell reduce_only market order reduces a long; you have no long BTC-USD position"
    )


def test_reduce_only_on_the_side_of_a_short_names_the_short_held(trading: Trading) -> None:
    a = trading.open()
    trading.place(a, "BTC-USD", "sell", "0.1")
    with pytest.raises(OrderRejected) as raised:
        trading.place(a, "BTC-USD", "sell", "0.05", reduce_only=True)
    assert str(raised.value) == (
        "a sell reduce_only market order reduces a long; you have no long BTC-USD position "
        "(your BTC-USD position is a short of 0.1)"
    )


# -- what "only reduces" counts -----------------------------------------------------------


def test_a_resting_order_counts_the_other_resting_limits_on_its_side(trading: Trading) -> None:
    a = trading.open()
    trading.place(a, "BTC-USD", "buy", "0.1")
    account = trading.account(a)
    sell = unplaced("BTC-USD", Side.SELL, "0.1", price="70000")
    assert only_reduces(account, sell, resting=True)
    assert not only_reduces(account, unplaced("BTC-USD", Side.SELL, "0.11", price="70000"), True)
    trading.place(a, "BTC-USD", "sell", "0.04", "limit", price="65000")
    # Together with the 0.04 resting, 0.1 more could take the long past flat.
    assert not only_reduces(account, sell, resting=True)
    assert only_reduces(account, unplaced("BTC-USD", Side.SELL, "0.06", price="70000"), True)
    # Filling now, it shrinks the long as it is now, whatever rests.
    assert only_reduces(account, sell, resting=False)


def test_orders_of_other_markets_sides_and_reduce_only_ones_are_not_counted(
    trading: Trading,
) -> None:
    a = trading.open()
    trading.place(a, "BTC-USD", "buy", "0.1")
    trading.place(a, "BTC-USD", "buy", "0.05", "limit", price="50000")  # other side
    trading.place(a, "BTC-USD", "sell", "0.05", "limit", price="66000", reduce_only=True)
    trading.place(a, "ETH-USD", "sell", "1", "limit", price="3500")  # other market
    trading.place(a, "ETH-USD", "buy", "1", "limit", price="2500")
    trading.place(a, "BTC-USD", "sell", "0.1", "stop_loss", trigger_price="55000")
    assert len(trading.account(a).open_orders) == 5
    sell = unplaced("BTC-USD", Side.SELL, "0.1", price="70000")
    assert only_reduces(trading.account(a), sell, resting=True)


def test_a_second_reducing_limit_that_could_flip_the_position_needs_margin(
    trading: Trading,
) -> None:
    a = trading.open(grant=D(1100))
    trading.set_leverage(a, "BTC-USD", 10)
    trading.place(a, "BTC-USD", "buy", "0.15")  # $9,000 at 10x: $900 of margin
    first = trading.place(a, "BTC-USD", "sell", "0.15", "limit", price="90000")
    assert first.status is OrderStatus.OPEN  # only reduces: accepted without margin
    # Both filling would leave a $13,500 short: $1,350 of margin that is not there.
    with pytest.raises(InsufficientMargin):
        trading.place(a, "BTC-USD", "sell", "0.15", "limit", price="90000")
    assert list(trading.account(a).open_orders) == [first.id]


# -- the price a position's tier is judged at --------------------------------------------


def test_a_limit_is_sized_at_its_price_when_above_the_mark(trading: Trading) -> None:
    venue = trading.venue  # BTC-USD marked at 60000
    assert sized_at(unplaced("BTC-USD", Side.BUY, "1", price="70000"), venue) == D(70000)
    assert sized_at(unplaced("BTC-USD", Side.SELL, "1", price="50000"), venue) == D(60000)
    assert sized_at(unplaced("BTC-USD", Side.BUY, "1", OrderType.MARKET), venue) == D(60000)


# -- the exact refusals of the exposure checks --------------------------------------------


def test_a_leverage_refusal_names_the_setting_the_position_and_both_caps() -> None:
    trading = Trading({"BTC-USD": D(50000)})
    a = trading.open()
    trading.set_limit("trader-1", 100)
    trading.set_leverage(a, "BTC-USD", 100)
    trading.place(a, "BTC-USD", "buy", "4")  # exactly $200k: still the 100x tier
    with pytest.raises(OrderRejected) as raised:
        trading.place(a, "BTC-USD", "buy", "0.0001")
    assert str(raised.value) == (
        "BTC-USD leverage is 100x but a $200005 position allows at most 50x "
        "(unlocked 100x): lower it first"
    )


def test_the_loss_limit_refusal_names_the_limit_and_when_it_lifts(trading: Trading) -> None:
    a = trading.open()
    trading.set_loss_limit(a, "100")
    trading.place(a, "ETH-USD", "buy", "1")
    trading.move("ETH-USD", 2900)
    trading.close(a, "ETH-USD")
    with pytest.raises(LossLimitReached) as raised:
        trading.place(a, "BTC-USD", "buy", "0.01")
    assert str(raised.value) == (
        "today's realized losses reached the $100 daily loss limit: "
        "only orders that reduce a position are accepted until 00:00 UTC"
    )


# -- available margin once part of a resting order fills ----------------------------------


def test_a_partly_filled_resting_limit_keeps_reserving_only_what_is_left(
    trading: Trading,
) -> None:
    a = trading.open()
    order = trading.place(a, "BTC-USD", "buy", "0.1", "limit", price="50000")
    account = trading.account(a)
    marks, markets = trading.venue.marks, trading.venue.markets
    assert account.margin(marks, markets).order_margin == D(1000)  # 0.1 * 50000 / 5
    after = available_after_fill(account, order, D("0.04"), D(50000), D(0), marks, markets)
    # 0.04 long from 50000, marked at 60000: +400; its margin 0.04 * 60000 / 5 = 480;
    # the 0.06 left reserves 0.06 * 50000 / 5 = 600.
    assert after == D(10_000) + D(400) - D(480) - D(600)
    assert order.remaining == D("0.1")  # only a what-if: the order itself is untouched


# -- an order's fills ---------------------------------------------------------------------


def fill_of(order: Order, fill_id: str, size: str, price: str, at: datetime) -> Fill:
    return Fill(
        fill_id,
        order.id,
        "a",
        order.market,
        order.side,
        D(size),
        D(price),
        D(0),
        Liquidity.MAKER,
        D(0),
        at,
    )


def test_an_orders_average_price_weighs_its_fills_by_size() -> None:
    order = unplaced("BTC-USD", Side.BUY, "1", price="62000")
    first_at, second_at = START + timedelta(seconds=1), START + timedelta(seconds=2)
    order.record_fill(fill_of(order, "f1", "0.4", "60000", first_at))
    assert order.filled_size == D("0.4")
    assert order.average_price == D(60000)
    assert order.status is OrderStatus.OPEN
    assert order.updated_at == first_at
    order.record_fill(fill_of(order, "f2", "0.6", "61000", second_at))
    assert order.filled_size == D(1)
    assert order.average_price == D(60600)  # (0.4 * 60000 + 0.6 * 61000) / 1
    assert order.status is OrderStatus.FILLED
    assert order.updated_at == second_at
    assert [f.id for f in order.fills] == ["f1", "f2"]
