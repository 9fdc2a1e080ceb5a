"""docs/trading-rules.md: market rules (tick, step, minimum size, order value), open-order cap,
reduce-only sense, and client_order_id idempotency."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fakes import GRANT, START, Trading, venue

from astratrade.trading.domain.commands import PlaceOrder
from astratrade.trading.domain.errors import InsufficientMargin, InvalidOrder, OrderRejected
from astratrade.trading.domain.events import OrderAccepted, OrderFilled
from astratrade.trading.domain.orders import OrderStatus, OrderType, Side, TimeInForce
from astratrade.trading.domain.venue import new_order

D = Decimal


def command(
    market: str = "BTC-USD",
    side: Side = Side.BUY,
    size: str = "0.1",
    type: OrderType = OrderType.MARKET,
    **options: Any,
) -> PlaceOrder:
    return PlaceOrder(
        owner_id="o", account_id="a", market=market, side=side, type=type, size=D(size), **options
    )


def invalid_field(cmd: PlaceOrder, marks: dict[str, Decimal] | None = None) -> str | None:
    with pytest.raises(InvalidOrder) as raised:
        new_order(cmd, venue(marks), START)
    return raised.value.field


@pytest.mark.parametrize(
    ("market", "price"),
    [
        ("BTC-USD", "59000.05"),
        ("ETH-USD", "2999.995"),
        ("SOL-USD", "149.9995"),
        ("STRK-USD", "0.499995"),
        ("BTC-USD", "0"),
        ("BTC-USD", "-100"),
    ],
)
def test_limit_price_off_tick_or_not_positive_is_invalid(market: str, price: str) -> None:
    cmd = command(market, size="100", type=OrderType.LIMIT, price=D(price))
    assert invalid_field(cmd) == "price"


@pytest.mark.parametrize(
    ("market", "size"),
    [
        ("BTC-USD", "0.000015"),
        ("ETH-USD", "0.00105"),
        ("SOL-USD", "0.105"),
        ("STRK-USD", "10.5"),
        ("BTC-USD", "0"),
        ("BTC-USD", "-1"),
    ],
)
def test_size_off_step_or_not_positive_is_invalid(market: str, size: str) -> None:
    assert invalid_field(command(market, size=size)) == "size"


@pytest.mark.parametrize(
    ("market", "below", "minimum"),
    [
        ("BTC-USD", "0.00009", "0.0001"),
        ("ETH-USD", "0.0009", "0.001"),
        ("SOL-USD", "0.09", "0.1"),
        ("STRK-USD", "9", "10"),
    ],
)
def test_size_below_the_market_minimum_is_invalid(market: str, below: str, minimum: str) -> None:
    assert invalid_field(command(market, size=below)) == "size"
    assert new_order(command(market, size=minimum), venue(), START).size == D(minimum)


def test_trigger_price_rules() -> None:
    stop = OrderType.STOP_LOSS
    assert invalid_field(command(side=Side.SELL, type=stop, trigger_price=D("59000.05"))) == (
        "trigger_price"
    )
    assert invalid_field(command(side=Side.SELL, type=stop)) == "trigger_price"
    assert invalid_field(command(trigger_price=D(59000))) == "trigger_price"  # market order
    # A sell stop at or above mark would fire at once.
    assert invalid_field(command(side=Side.SELL, type=stop, trigger_price=D(60000))) == (
        "trigger_price"
    )
    tp = OrderType.TAKE_PROFIT
    assert invalid_field(command(side=Side.SELL, type=tp, trigger_price=D(59999))) == (
        "trigger_price"
    )
    order = new_order(command(side=Side.SELL, type=stop, trigger_price=D(59000)), venue(), START)
    assert order.reduce_only is True  # triggers always reduce
    assert order.time_in_force is TimeInForce.GTC


def test_price_only_on_limits_and_limits_need_one() -> None:
    assert invalid_field(command(price=D(60000))) == "price"
    assert invalid_field(command(type=OrderType.LIMIT)) == "price"


def test_unlisted_market_names_the_market_field() -> None:
    assert invalid_field(command("DOGE-USD")) == "market"


def test_market_order_value_is_capped_at_1m_at_mark() -> None:
    marks = {"BTC-USD": D(50000)}
    assert new_order(command(size="20"), venue(marks), START).size == D(20)  # exactly $1M
    assert invalid_field(command(size="20.00001"), marks) == "size"  # $1,000,000.50
    assert invalid_field(command(side=Side.SELL, size="20.00001"), marks) == "size"


def test_orders_that_only_reduce_are_not_capped_by_the_market_order_value() -> None:
    # Reducing is always allowed: reduce-only market orders, stops and take-profits.
    marks = {"BTC-USD": D(50000)}
    closing = command(side=Side.SELL, size="30", reduce_only=True)
    assert new_order(closing, venue(marks), START).size == D(30)  # $1.5M
    stop = command(side=Side.SELL, size="30", type=OrderType.STOP_LOSS, trigger_price=D(40000))
    assert new_order(stop, venue(marks), START).reduce_only is True
    tp = command(side=Side.BUY, size="30", type=OrderType.TAKE_PROFIT, trigger_price=D(40000))
    assert new_order(tp, venue(marks), START).size == D(30)


def test_a_market_order_that_only_reduces_is_not_capped_by_the_market_order_value(
    trading: Trading,
) -> None:
    """Reducing is always allowed, with or without the reduce_only flag: a $1.5M long is
    sold in one plain market order; one step more would open a short, and is capped."""
    a = trading.open(grant=D(400_000))
    for _ in range(2):
        trading.place(a, "BTC-USD", "buy", "12.5")  # $750k each at 60000, 5x
    with pytest.raises(InvalidOrder) as raised:
        trading.place(a, "BTC-USD", "sell", "25.00001")
    assert raised.value.field == "size"
    assert "$1000000 market order limit" in raised.value.message
    with pytest.raises(InvalidOrder):
        trading.place(a, "BTC-USD", "buy", "25")  # the same side grows it: capped
    sold = trading.place(a, "BTC-USD", "sell", "25")
    assert sold.status is OrderStatus.FILLED
    assert trading.account(a).positions == {}


def test_a_reduce_only_limit_is_not_capped_by_the_limit_order_value() -> None:
    # It fills at most down to a flat position: its value never becomes exposure.
    closing = command(side=Side.SELL, size="120", type=OrderType.LIMIT, price=D(50000))
    assert invalid_field(closing) == "size"  # $6M
    reduce_only = command(
        side=Side.SELL, size="120", type=OrderType.LIMIT, price=D(50000), reduce_only=True
    )
    assert new_order(reduce_only, venue(), START).size == D(120)


def test_limit_order_value_is_capped_at_5m_at_its_price() -> None:
    at_cap = command(size="100", type=OrderType.LIMIT, price=D(50000))
    assert new_order(at_cap, venue(), START).price == D(50000)  # exactly $5M
    over = command(size="100.00001", type=OrderType.LIMIT, price=D(50000))
    assert invalid_field(over) == "size"
    # The limit's own price counts, not the mark: 80 * 62500 = $5M, 80.00001 is over.
    assert invalid_field(command(size="80.00001", type=OrderType.LIMIT, price=D(62500))) == "size"


def test_market_orders_are_ioc_and_limits_default_to_gtc() -> None:
    market = new_order(command(time_in_force=TimeInForce.GTC), venue(), START)
    assert market.time_in_force is TimeInForce.IOC
    limit = new_order(command(type=OrderType.LIMIT, price=D(50000)), venue(), START)
    assert limit.time_in_force is TimeInForce.GTC


def test_invalid_order_through_the_handler_changes_nothing(trading: Trading) -> None:
    a = trading.open()
    with pytest.raises(InvalidOrder) as raised:
        trading.place(a, "BTC-USD", "buy", "0.000015")
    assert raised.value.field == "size"
    assert trading.account(a).collateral == GRANT
    assert trading.store.events(OrderAccepted) == []


def test_reduce_only_without_a_position_is_rejected(trading: Trading) -> None:
    a = trading.open()
    with pytest.raises(OrderRejected) as raised:
        trading.place(a, "BTC-USD", "sell", "0.1", reduce_only=True)
    assert not isinstance(raised.value, InsufficientMargin)
    trading.place(a, "BTC-USD", "buy", "0.1")
    # Same side as the position: nothing to reduce either.
    with pytest.raises(OrderRejected):
        trading.place(a, "BTC-USD", "buy", "0.1", reduce_only=True)
    # A stop needs a position to protect.
    with pytest.raises(OrderRejected):
        trading.place(a, "ETH-USD", "sell", "1", "stop_loss", trigger_price="2900")


def test_reduce_only_larger_than_the_position_fills_only_to_flat(trading: Trading) -> None:
    a = trading.open()
    trading.place(a, "ETH-USD", "buy", "1")
    order = trading.place(a, "ETH-USD", "sell", "3", reduce_only=True)
    assert order.filled_size == D(1)
    assert order.fills[0].size == D(1)
    assert order.status is OrderStatus.EXPIRED
    assert trading.account(a).positions == {}


def test_at_most_200_open_orders(trading: Trading) -> None:
    a = trading.open()
    for i in range(200):
        trading.place(a, "BTC-USD", "buy", "0.0001", "limit", price=D(30000) + i)
    assert len(trading.account(a).open_orders) == 200
    with pytest.raises(OrderRejected, match="200 open orders"):
        trading.place(a, "BTC-USD", "buy", "0.0001", "limit", price="29000")
    assert len(trading.account(a).open_orders) == 200
    # Market orders do not rest, so the cap does not apply to them.
    order = trading.place(a, "BTC-USD", "buy", "0.0001")
    assert order.status is OrderStatus.FILLED
    trading.cancel(a, next(iter(trading.account(a).open_orders)))
    trading.place(a, "BTC-USD", "buy", "0.0001", "limit", price="29000")
    assert len(trading.account(a).open_orders) == 200


def test_client_order_id_retry_returns_the_original_and_does_nothing(trading: Trading) -> None:
    a = trading.open()
    first = trading.place(a, "ETH-USD", "buy", "1", client_order_id="c-1")
    collateral = trading.account(a).collateral
    house = trading.house.collateral
    events = len(trading.store.committed)
    again = trading.place(a, "ETH-USD", "buy", "1", client_order_id="c-1")
    assert again.id == first.id
    assert again.status is OrderStatus.FILLED
    assert again.filled_size == D(1)
    assert trading.account(a).positions["ETH-USD"].size == D(1)  # no second fill
    assert trading.account(a).collateral == collateral
    assert trading.house.collateral == house
    assert len(trading.store.committed) == events  # no second event
    assert len(trading.store.events(OrderFilled)) == 1
    # Even a retry with other terms answers the original.
    other = trading.place(a, "ETH-USD", "sell", "2", client_order_id="c-1")
    assert other.id == first.id
    assert trading.account(a).positions["ETH-USD"].size == D(1)


def test_client_order_id_of_a_resting_order_returns_the_live_order(trading: Trading) -> None:
    a = trading.open()
    first = trading.place(a, "ETH-USD", "buy", "1", "limit", price="2900", client_order_id="x")
    again = trading.place(a, "ETH-USD", "buy", "1", "limit", price="2900", client_order_id="x")
    assert again is trading.account(a).open_orders[first.id]
    assert len(trading.account(a).open_orders) == 1
    assert len(trading.store.events(OrderAccepted)) == 1
    # Another id is another order; and the ids are per account.
    trading.place(a, "ETH-USD", "buy", "1", "limit", price="2900", client_order_id="y")
    b = trading.open("trader-2")
    trading.place(b, "ETH-USD", "buy", "1", "limit", price="2900", client_order_id="x")
    assert len(trading.store.events(OrderAccepted)) == 3


def test_a_rejected_order_does_not_burn_its_client_order_id(trading: Trading) -> None:
    a = trading.open()
    with pytest.raises(InsufficientMargin):
        trading.place(a, "BTC-USD", "buy", "1", client_order_id="c")
    order = trading.place(a, "BTC-USD", "buy", "0.1", client_order_id="c")
    assert order.status is OrderStatus.FILLED
    assert order.size == D("0.1")
