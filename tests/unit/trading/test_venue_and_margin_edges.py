"""docs/trading-rules.md edges: the order the venue builds from a command, every refusal's
field and message, margin summaries to the cent (including the account with nothing open),
and resting limits that sit behind triggers and reduce-only orders."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from fakes import MARKETS, START, Trading, venue

from astratrade.trading.domain.account_terms import LeverageSettings
from astratrade.trading.domain.commands import PlaceOrder
from astratrade.trading.domain.errors import InvalidOrder
from astratrade.trading.domain.margin import (
    MarginSummary,
    adding_sizes,
    orders_reserve,
    summarize,
)
from astratrade.trading.domain.orders import Order, OrderType, Side, TimeInForce
from astratrade.trading.domain.position import Position
from astratrade.trading.domain.venue import new_order
from astratrade.trading.views import AccountView, account_view

D = Decimal
AT = START + timedelta(minutes=5)  # the order's time, not the venue's quotes'
LISTED = "BTC-USD, ETH-USD, SOL-USD, STRK-USD"


def command(
    type: OrderType = OrderType.MARKET,
    side: Side = Side.BUY,
    size: str = "0.1",
    market: str = "BTC-USD",
    **options: Any,
) -> PlaceOrder:
    return PlaceOrder(
        owner_id="o", account_id="a", market=market, side=side, type=type, size=D(size), **options
    )


def expected_order(cmd: PlaceOrder, tif: TimeInForce, *, reduce_only: bool = False) -> Order:
    return Order(
        id="id-00000001",
        account_id="a",
        market=cmd.market,
        side=cmd.side,
        type=cmd.type,
        size=cmd.size,
        price=cmd.price,
        trigger_price=cmd.trigger_price,
        reduce_only=reduce_only,
        time_in_force=tif,
        client_order_id=cmd.client_order_id,
        created_at=AT,
        updated_at=AT,
    )


def refusal(cmd: PlaceOrder, held: str = "0") -> tuple[str | None, str]:
    with pytest.raises(InvalidOrder) as raised:
        new_order(cmd, venue(), AT, D(held))
    return raised.value.field, raised.value.message


# -- the order the venue builds ---------------------------------------------------------------


def test_a_market_order_is_built_immediate_or_cancel_stamped_with_its_time() -> None:
    cmd = command(time_in_force=TimeInForce.GTC, client_order_id="mine-1")
    assert new_order(cmd, venue(), AT) == expected_order(cmd, TimeInForce.IOC)


def test_a_limit_order_keeps_the_time_in_force_asked_for_or_rests() -> None:
    ioc = command(OrderType.LIMIT, price=D("59000.5"), time_in_force=TimeInForce.IOC)
    assert new_order(ioc, venue(), AT) == expected_order(ioc, TimeInForce.IOC)
    resting = command(OrderType.LIMIT, Side.SELL, price=D("61000"), reduce_only=True)
    assert new_order(resting, venue(), AT, D("0.1")) == expected_order(
        resting, TimeInForce.GTC, reduce_only=True
    )


def test_a_stop_loss_is_built_reduce_only_and_resting_until_triggered() -> None:
    cmd = command(OrderType.STOP_LOSS, Side.SELL, trigger_price=D("59000"))
    order = new_order(cmd, venue(), AT, D("0.1"))
    assert order == expected_order(cmd, TimeInForce.GTC, reduce_only=True)


# -- refusals: the field and the message a trader reads ---------------------------------------


def test_an_unlisted_market_is_refused_naming_the_markets_listed() -> None:
    assert refusal(command(market="DOGE-USD")) == (
        "market",
        f"market 'DOGE-USD' is not listed; markets: {LISTED}",
    )


def test_a_limit_without_a_price_is_refused() -> None:
    assert refusal(command(OrderType.LIMIT)) == ("price", "price is required for a limit order")


@pytest.mark.parametrize("type", [OrderType.MARKET, OrderType.TAKE_PROFIT])
def test_a_price_on_anything_but_a_limit_is_refused_naming_the_type(type: OrderType) -> None:
    cmd = command(type, price=D("60000"), trigger_price=D("70000"))
    assert refusal(cmd) == ("price", f"price is only for limit orders, not {type.value}")


@pytest.mark.parametrize("type", [OrderType.STOP_LOSS, OrderType.TAKE_PROFIT])
def test_a_trigger_order_without_its_trigger_price_is_refused(type: OrderType) -> None:
    cmd = command(type, Side.SELL)
    assert refusal(cmd, "0.1") == ("trigger_price", f"trigger_price is required for {type.value}")


@pytest.mark.parametrize(
    ("type", "price"), [(OrderType.MARKET, None), (OrderType.LIMIT, D("59000"))]
)
def test_a_trigger_price_on_a_market_or_limit_order_is_refused(
    type: OrderType, price: Decimal | None
) -> None:
    cmd = command(type, price=price, trigger_price=D("58000"))
    assert refusal(cmd) == (
        "trigger_price",
        "trigger_price is only for stop_loss and take_profit",
    )


def test_a_limit_order_over_the_limit_order_value_names_its_value_and_the_limit() -> None:
    cmd = command(OrderType.LIMIT, size="100", price=D("60000"))  # $6,000,000
    assert refusal(cmd) == (
        "size",
        "order value $6000000 exceeds the $5000000 limit order limit",
    )


def test_a_market_order_over_the_market_order_value_names_its_value_and_the_limit() -> None:
    cmd = command(size="20.5")  # 20.5 BTC at the 60,000 mark
    assert refusal(cmd) == (
        "size",
        "order value $1230000 exceeds the $1000000 market order limit",
    )


@pytest.mark.parametrize(
    ("type", "side", "trigger"),
    [
        (OrderType.STOP_LOSS, Side.SELL, "60000.5"),  # a long's stop above the mark
        (OrderType.TAKE_PROFIT, Side.SELL, "59999.9"),  # a long's target below it
        (OrderType.STOP_LOSS, Side.BUY, "60000"),  # a short's stop at the mark
    ],
)
def test_a_trigger_that_would_fire_at_once_names_its_trigger_and_the_mark(
    type: OrderType, side: Side, trigger: str
) -> None:
    held = "-0.1" if side is Side.BUY else "0.1"
    assert refusal(command(type, side, trigger_price=D(trigger)), held) == (
        "trigger_price",
        f"trigger_price {trigger} would trigger at once: BTC-USD mark is 60000",
    )


# -- margin summaries --------------------------------------------------------------------------


def resting(
    order_id: str,
    side: Side,
    size: str,
    price: str,
    type: OrderType = OrderType.LIMIT,
    *,
    reduce_only: bool = False,
) -> Order:
    is_limit = type is OrderType.LIMIT
    return Order(
        id=order_id,
        account_id="a",
        market="BTC-USD",
        side=side,
        type=type,
        size=D(size),
        price=D(price) if is_limit else None,
        trigger_price=None if is_limit else D(price),
        reduce_only=reduce_only or not is_limit,
        time_in_force=TimeInForce.GTC,
        client_order_id=None,
        created_at=START,
    )


MARKS = {"BTC-USD": D(61000), "ETH-USD": D(3000)}
TEN_X = LeverageSettings(D(10))


def test_limits_behind_a_stop_and_a_reduce_only_order_still_hold_margin() -> None:
    long = {"BTC-USD": Position("BTC-USD", D("0.1"), D(60000), START)}
    orders = [
        resting("stop", Side.SELL, "0.1", "59000", OrderType.STOP_LOSS),
        resting("target", Side.SELL, "0.1", "62000", reduce_only=True),
        resting("dip", Side.BUY, "0.2", "59000"),
        resting("exit", Side.SELL, "0.3", "63000"),  # 0.1 closes the long, 0.2 opens a short
    ]
    assert adding_sizes(orders, long) == {
        "dip": D("0.2"),
        "exit": D("0.2"),
    }
    # 0.2 * 59000 / 10 + 0.2 * 63000 / 10
    assert orders_reserve(orders, long, TEN_X) == D(2440)
    assert summarize(D(10_000), long, orders, MARKS, MARKETS, TEN_X) == MarginSummary(
        collateral=D(10_000),
        unrealized_pnl=D(100),  # 0.1 * (61000 - 60000)
        equity=D(10_100),
        initial_margin=D(610),  # 0.1 * 61000 / 10
        maintenance_margin=D("30.5"),  # 6100 notional at the 0.5% first tier
        order_margin=D(2440),
        available=D(7050),
    )


def test_an_account_with_nothing_open_sums_to_decimal_zeros() -> None:
    summary = summarize(D(10_000), {}, [], MARKS, MARKETS, TEN_X)
    assert summary == MarginSummary(D(10_000), D(0), D(10_000), D(0), D(0), D(0), D(10_000))
    # Money is Decimal all the way: views round these with Decimal.quantize.
    amounts = [summary.unrealized_pnl, summary.initial_margin, summary.order_margin]
    assert [type(amount) for amount in amounts] == [Decimal] * 3


def test_a_fresh_practice_account_is_shown_with_its_whole_grant_available(
    trading: Trading,
) -> None:
    account = trading.account(trading.open())
    view = account_view(account, trading.venue, trading.now)
    zero = D("0.000000")
    grant = D("10000.000000")
    assert view == AccountView(
        account_id=account.id,
        kind="practice",
        currency="USD",
        collateral=grant,
        equity=grant,
        unrealized_pnl=zero,
        initial_margin=zero,
        maintenance_margin=zero,
        order_margin=zero,
        available=grant,
        margin_ratio=zero,  # no maintenance over its equity
        leverage={m: account.leverage[m] for m in MARKETS},
        daily_loss_limit=account.daily_loss_limit,
        loss_today=zero,
    )
