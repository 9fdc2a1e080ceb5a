"""An order's added exposure is judged whenever it can add some: at placement, when the
position under a resting order changes, and at the fill (docs/trading-rules.md).

The reproductions of an outside probe: orders admitted as "only reducing" that outlived
their position, a tournament account trading after its end, and a reduction refused for
margin it never needed."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from fakes import Trading

from astratrade.trading import handlers
from astratrade.trading.domain.commands import OpenTournamentAccount
from astratrade.trading.domain.errors import InsufficientMargin
from astratrade.trading.domain.exposure import check_available
from astratrade.trading.domain.orders import OrderStatus

HOUR = timedelta(hours=1)


def margin(trading: Trading, account_id: str):  # type: ignore[no-untyped-def]
    return trading.account(account_id).margin(trading.venue.marks, trading.venue.markets)


def order_state(trading: Trading, order_id: str) -> tuple[OrderStatus, str | None]:
    order = trading.store.orders[order_id]
    return order.status, order.reason


def enter_tournament(trading: Trading, lasts: timedelta = 4 * HOUR) -> str:
    cmd = OpenTournamentAccount(
        owner_id="trader-1",
        account_id="tour-1",
        starting_capital=D(10_000),
        markets=("BTC-USD",),
        opens_at=trading.now,
        closes_at=trading.now + lasts,
    )
    trading.call(lambda uow: handlers.open_tournament_account(cmd, uow, trading.venue, trading.now))
    return cmd.account_id


def end_windows(trading: Trading) -> None:
    trading.call(lambda uow: handlers.end_trading_windows(uow, trading.now))


def test_close_when_a_reducing_limit_rests_cancels_the_limit_it_cannot_margin(
    trading: Trading,
) -> None:
    a = trading.open(grant=D(1100))
    trading.set_leverage(a, "BTC-USD", 10)
    trading.place(a, "BTC-USD", "buy", "0.15")  # $9,000 at 10x: $900 of margin
    sell = trading.place(a, "BTC-USD", "sell", "0.15", "limit", price="90000")
    assert sell.status is OrderStatus.OPEN  # it only reduces the long: accepted
    trading.close(a, "BTC-USD")
    # Alone it would open a $13,500 short: $1,350 of margin on ~$1,096 of equity.
    status, reason = order_state(trading, sell.id)
    assert status is OrderStatus.CANCELLED
    assert "margin this order needs is not available" in (reason or "")
    assert margin(trading, a).available > 0
    trading.move("BTC-USD", 90000)
    assert trading.account(a).positions == {}


def test_close_keeps_a_resting_limit_the_account_can_margin(trading: Trading) -> None:
    a = trading.open()
    trading.place(a, "BTC-USD", "buy", "0.01")
    sell = trading.place(a, "BTC-USD", "sell", "0.01", "limit", price="61000")
    trading.close(a, "BTC-USD")
    assert order_state(trading, sell.id) == (OrderStatus.OPEN, None)
    assert margin(trading, a).order_margin == D("122")  # now it reserves: 0.01 * 61000 / 5
    trading.move("BTC-USD", 61000)
    assert trading.account(a).positions["BTC-USD"].size == D("-0.01")


def test_fill_that_would_add_beyond_available_fills_only_its_reducing_part(
    trading: Trading,
) -> None:
    a = trading.open()
    trading.set_leverage(a, "BTC-USD", 10)
    trading.set_leverage(a, "ETH-USD", 10)
    trading.place(a, "BTC-USD", "buy", "0.1")
    # Reserved when placed: 0.25 sells 0.1 of the long and opens a 0.15 short.
    sell = trading.place(a, "BTC-USD", "sell", "0.25", "limit", price="60600")
    trading.place(a, "ETH-USD", "buy", "25")  # $75,000 of ETH at 10x: most of the rest
    trading.move("ETH-USD", 2720)  # ETH -9.3 %: ~$7,000 lost, available well below 0
    assert margin(trading, a).available < 0
    trading.move("BTC-USD", 60600)
    status, reason = order_state(trading, sell.id)
    assert status is OrderStatus.CANCELLED
    assert (reason or "").startswith("not filled: available margin is $-")
    assert "BTC-USD" not in trading.account(a).positions  # the long closed; no short opened
    assert trading.store.orders[sell.id].filled_size == D("0.1")


def test_market_order_that_only_reduces_is_accepted_despite_resting_sells(
    trading: Trading,
) -> None:
    a = trading.open()
    trading.set_leverage(a, "BTC-USD", 10)
    trading.place(a, "BTC-USD", "buy", "1.6")  # $9,600 of margin on $10,000
    resting = trading.place(a, "BTC-USD", "sell", "1.6", "limit", price="90000")
    reduce = trading.place(a, "BTC-USD", "sell", "1.5")
    assert reduce.status is OrderStatus.FILLED
    assert trading.account(a).positions["BTC-USD"].size == D("0.1")
    # The resting sell now opens 1.5 BTC short at 90000: $13,500 it cannot reserve.
    assert order_state(trading, resting.id)[0] is OrderStatus.CANCELLED
    assert margin(trading, a).available > 0


def test_tournament_account_after_its_end_cannot_open_through_a_reducing_limit(
    trading: Trading,
) -> None:
    a = enter_tournament(trading)
    trading.place(a, "BTC-USD", "buy", "0.01")
    trading.clock.advance(5 * HOUR.total_seconds())  # over
    sell = trading.place(a, "BTC-USD", "sell", "0.01", "limit", price="80000")
    assert sell.status is OrderStatus.OPEN  # reducing is allowed after the end
    trading.close(a, "BTC-USD")
    status, reason = order_state(trading, sell.id)
    assert status is OrderStatus.CANCELLED
    assert "only reducing is allowed" in (reason or "")
    trading.move("BTC-USD", 80000)
    assert trading.account(a).positions == {}


def test_tournament_end_cancels_resting_orders_that_could_add_exposure(
    trading: Trading,
) -> None:
    a = enter_tournament(trading)
    trading.place(a, "BTC-USD", "buy", "0.02")
    buy = trading.place(a, "BTC-USD", "buy", "0.01", "limit", price="50000")
    reducing = trading.place(a, "BTC-USD", "sell", "0.02", "limit", price="70000")
    stop = trading.place(a, "BTC-USD", "sell", "0.02", "stop_loss", trigger_price="55000")
    trading.clock.advance(4 * HOUR.total_seconds())
    end_windows(trading)
    assert order_state(trading, buy.id) == (OrderStatus.CANCELLED, "the tournament ended")
    assert order_state(trading, reducing.id)[0] is OrderStatus.OPEN
    assert order_state(trading, stop.id)[0] is OrderStatus.OPEN
    trading.move("BTC-USD", 50000)  # the stop closes the long; the buy is gone
    assert trading.account(a).positions == {}


def test_tournament_order_resting_at_the_end_never_fills_even_without_a_sweep(
    trading: Trading,
) -> None:
    a = enter_tournament(trading)
    buy = trading.place(a, "BTC-USD", "buy", "0.01", "limit", price="50000")
    trading.clock.advance(4 * HOUR.total_seconds())
    trading.move("BTC-USD", 50000)  # the first tick after the end
    assert order_state(trading, buy.id) == (OrderStatus.CANCELLED, "the tournament ended")
    assert trading.account(a).positions == {}


def test_lower_unlocked_leverage_stops_a_resting_order_at_its_fill(trading: Trading) -> None:
    a = trading.open()
    trading.set_limit("trader-1", 20)
    trading.set_leverage(a, "BTC-USD", 20)
    buy = trading.place(a, "BTC-USD", "buy", "0.1", "limit", price="59000")
    trading.set_limit("trader-1", 10)  # unlocked max withdrawn below the setting
    trading.move("BTC-USD", 59000)
    status, reason = order_state(trading, buy.id)
    assert status is OrderStatus.CANCELLED
    assert "allows at most 10x" in (reason or "")


def test_a_margin_refusal_names_what_the_order_takes_and_the_shortfall() -> None:
    with pytest.raises(InsufficientMargin) as refused:
        check_available(D("304.4"), D("-470.2"))
    assert str(refused.value) == (
        "order needs $775 of margin and fee: $470 more than the $304 available"
    )
    check_available(D("304"), D("0"))  # exactly all of it: accepted


def test_a_refusal_when_available_is_below_zero_already_names_only_the_shortfall() -> None:
    """A resting order's fill after losses to the mark: its reservation gives back more than
    the fill takes, so "what it needs" would be negative; only the shortfall means anything."""
    with pytest.raises(InsufficientMargin) as refused:
        check_available(D("-1684"), D("-1086"))
    assert str(refused.value) == (
        "available margin is $-1684 already: the order would leave it $1086 short"
    )
    with pytest.raises(InsufficientMargin) as refused:
        check_available(D("0"), D("-1"))
    assert str(refused.value) == "order needs $1 of margin and fee: $1 more than the $0 available"
