"""Trading rules: margin admission (available never below 0 for orders adding exposure, reductions
always accepted) and leverage caps (unlocked level and risk tier)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from fakes import GRANT, FakeTradingUnitOfWork, Trading, run

from astratrade.trading import handlers
from astratrade.trading.domain.commands import SetLeverage
from astratrade.trading.domain.errors import InsufficientMargin, InvalidOrder, OrderRejected
from astratrade.trading.domain.events import LeverageSet
from astratrade.trading.domain.orders import OrderStatus

D = Decimal


def available(trading: Trading, account_id: str) -> Decimal:
    return trading.account(account_id).margin(trading.venue.marks, trading.venue.markets).available


def test_resting_limit_using_exactly_all_available_is_accepted(trading: Trading) -> None:
    a = trading.open()
    # Reserve 1 * 50000 / 5 = 10000 = the whole grant: available ends at exactly 0.
    order = trading.place(a, "BTC-USD", "buy", "1", "limit", price="50000")
    assert order.status is OrderStatus.OPEN
    assert available(trading, a) == 0
    # Nothing more that adds exposure fits now, however small.
    with pytest.raises(InsufficientMargin):
        trading.place(a, "ETH-USD", "buy", "0.001")
    with pytest.raises(InsufficientMargin):
        trading.place(a, "ETH-USD", "sell", "0.001", "limit", price="3100")


def test_resting_limit_one_step_beyond_available_is_rejected(trading: Trading) -> None:
    a = trading.open()
    with pytest.raises(InsufficientMargin):
        trading.place(a, "BTC-USD", "buy", "1.00001", "limit", price="50000")
    assert trading.account(a).open_orders == {}
    assert available(trading, a) == GRANT


def test_market_order_needing_more_than_available_is_rejected(trading: Trading) -> None:
    a = trading.open()
    # 0.9 * 60000 / 5 = 10800 initial margin; the fill at 60009.3 (1.54 bp) costs 8.37 of
    # unrealized loss and 13.50 of fee: available after = 10000 - 10821.87 = -821.87. The
    # message names what the order takes and the shortfall, not the total as the shortfall.
    needs = "order needs $10822 of margin and fee: $822 more than the $10000 available"
    with pytest.raises(InsufficientMargin, match=re.escape(needs)):
        trading.place(a, "BTC-USD", "buy", "0.9")
    assert trading.account(a).positions == {}
    # Slippage and the fee count too: 0.8333 BTC needs 9999.6 margin, but the fill at
    # 60008.9 costs 7.4 of unrealized loss and 12.5 of fee.
    with pytest.raises(InsufficientMargin):
        trading.place(a, "BTC-USD", "buy", "0.8333")
    trading.set_leverage(a, "BTC-USD", 10)
    order = trading.place(a, "BTC-USD", "buy", "1.6")  # 9600 at 10x
    assert order.status is OrderStatus.FILLED
    assert available(trading, a) > 0


def test_reductions_are_accepted_even_when_margin_is_short(trading: Trading) -> None:
    a = trading.open()
    trading.place(a, "BTC-USD", "buy", "0.8")  # at 60008.9; initial margin 9600
    trading.move("BTC-USD", 59000)
    margin = trading.account(a).margin(trading.venue.marks, trading.venue.markets)
    assert margin.available == D("-259.121780")  # 9987.998220 - 807.12 - 9440
    assert margin.equity > margin.maintenance_margin  # short of margin, not liquidated
    with pytest.raises(InsufficientMargin):
        trading.place(a, "BTC-USD", "buy", "0.0001")
    # Selling more than the position flips it, which adds exposure: margin applies.
    with pytest.raises(InsufficientMargin):
        trading.place(a, "BTC-USD", "sell", "1.6")
    reduce_only = trading.place(a, "BTC-USD", "sell", "0.1", reduce_only=True)
    assert reduce_only.status is OrderStatus.FILLED
    # An order that only reduces needs no flag to be accepted.
    plain_reduce = trading.place(a, "BTC-USD", "sell", "0.1")
    assert plain_reduce.status is OrderStatus.FILLED
    resting = trading.place(a, "BTC-USD", "sell", "0.6", "limit", price="61000")
    assert resting.status is OrderStatus.OPEN
    assert trading.account(a).positions["BTC-USD"].size == D("0.6")


def test_leverage_above_the_unlocked_limit_is_rejected(trading: Trading) -> None:
    a = trading.open()
    with pytest.raises(InvalidOrder) as raised:
        trading.set_leverage(a, "BTC-USD", 11)
    assert raised.value.field == "leverage"
    assert "unlocked max is 10" in raised.value.message
    trading.set_leverage(a, "BTC-USD", 10)
    assert trading.account(a).leverage["BTC-USD"] == D(10)
    assert trading.account(a).leverage["ETH-USD"] == D(5)  # per market
    trading.set_limit("trader-1", 20)
    trading.set_leverage(a, "BTC-USD", 20)
    assert trading.account(a).leverage["BTC-USD"] == D(20)
    assert [e.leverage for e in trading.store.events(LeverageSet)] == [D(10), D(20)]


@pytest.mark.parametrize("leverage", ["0", "0.5", "2.5", "-3"])
def test_leverage_must_be_a_whole_number_of_at_least_one(trading: Trading, leverage: str) -> None:
    a = trading.open()
    with pytest.raises(InvalidOrder) as raised:
        trading.set_leverage(a, "ETH-USD", leverage)
    assert raised.value.field == "leverage"
    assert trading.account(a).leverage["ETH-USD"] == D(5)


def test_lowering_leverage_beyond_available_margin_is_rejected(trading: Trading) -> None:
    a = trading.open()
    trading.place(a, "BTC-USD", "buy", "0.8")  # 9600 initial margin at 5x
    with pytest.raises(InvalidOrder) as raised:
        trading.set_leverage(a, "BTC-USD", 4)  # would need 12000
    assert raised.value.field == "leverage"
    assert trading.account(a).leverage["BTC-USD"] == D(5)
    assert trading.store.events(LeverageSet) == []


def test_a_position_growing_into_a_lower_leverage_tier_is_rejected() -> None:
    trading = Trading({"BTC-USD": D(50000)})
    a = trading.open()
    trading.set_limit("trader-1", 100)
    trading.set_leverage(a, "BTC-USD", 100)
    # 4 BTC at a 50000 mark is exactly $200k: the 100x tier.
    assert trading.place(a, "BTC-USD", "buy", "4").status is OrderStatus.FILLED
    with pytest.raises(OrderRejected, match="allows at most 50x") as raised:
        trading.place(a, "BTC-USD", "buy", "0.0001")  # $200,005: the 50x tier
    assert not isinstance(raised.value, InsufficientMargin)
    assert trading.account(a).positions["BTC-USD"].size == D(4)
    with pytest.raises(OrderRejected, match="allows at most 50x"):
        trading.place(a, "BTC-USD", "buy", "0.1", "limit", price="49000")
    # Reductions are still fine at 100x.
    assert trading.place(a, "BTC-USD", "sell", "0.0001").status is OrderStatus.FILLED
    trading.place(a, "BTC-USD", "buy", "0.0001")  # back to exactly 4
    trading.set_leverage(a, "BTC-USD", 50)
    assert trading.place(a, "BTC-USD", "buy", "0.0001").status is OrderStatus.FILLED
    with pytest.raises(InvalidOrder) as raised_leverage:
        trading.set_leverage(a, "BTC-USD", 100)  # the position is now in the 50x tier
    assert raised_leverage.value.field == "leverage"
    assert trading.account(a).leverage["BTC-USD"] == D(50)


def test_tier_cap_below_the_default_unlocked_leverage_on_strk() -> None:
    trading = Trading()
    a = trading.open(grant=D(50000))
    trading.set_leverage(a, "STRK-USD", 10)  # STRK: 10x up to $200k, 5x above
    assert trading.place(a, "STRK-USD", "buy", "400000").status is OrderStatus.FILLED  # $200k
    with pytest.raises(OrderRejected, match="allows at most 5x"):
        trading.place(a, "STRK-USD", "buy", "10")
    fresh = trading.open("trader-2", grant=D(50000))
    trading.set_leverage(fresh, "STRK-USD", 10)
    with pytest.raises(OrderRejected, match="allows at most 5x"):
        trading.place(fresh, "STRK-USD", "buy", "400010")
    # The cap applies to a short the same way.
    with pytest.raises(OrderRejected, match="allows at most 5x"):
        trading.place(fresh, "STRK-USD", "sell", "400010")


def test_closing_a_position_worth_more_than_1m_is_accepted() -> None:
    trading = Trading()
    a = trading.open(grant=D(1_000_000))
    trading.place(a, "BTC-USD", "buy", "16")  # $960k at a 60000 mark
    trading.move("BTC-USD", 66000)  # now worth $1,056,000
    order = trading.close(a, "BTC-USD")
    assert order.status is OrderStatus.FILLED
    assert trading.account(a).positions == {}


def test_a_full_size_stop_on_a_position_worth_more_than_1m_is_accepted() -> None:
    trading = Trading()
    a = trading.open(grant=D(1_000_000))
    trading.place(a, "BTC-USD", "buy", "16")
    trading.move("BTC-USD", 66000)
    stop = trading.place(a, "BTC-USD", "sell", "16", "stop_loss", trigger_price="60000")
    assert stop.status is OrderStatus.OPEN


def test_a_refused_leverage_change_leaves_the_account_untouched(trading: Trading) -> None:
    a = trading.open()
    trading.place(a, "BTC-USD", "buy", "0.8")
    account = trading.account(a)
    cmd = SetLeverage(owner_id="trader-1", account_id=a, market="BTC-USD", leverage=D(4))
    # Straight through the handler, no rollback: the refusal must come before any change.
    with pytest.raises(InvalidOrder):
        run(handlers.set_leverage(cmd, FakeTradingUnitOfWork(trading.store), trading.venue))
    assert account.leverage == {}
    assert account.leverage["BTC-USD"] == D(5)
    assert account.pending_events == []
    assert account.dirty_leverage == set()
