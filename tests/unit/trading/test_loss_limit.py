"""The trader's daily loss limit: once the UTC day's realized losses reach it, only orders
that reduce a position are accepted until 00:00 UTC."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from fakes import Trading

from astratrade.trading.domain.errors import Conflict, InvalidOrder, LossLimitReached
from astratrade.trading.domain.events import DailyLossLimitSet
from astratrade.trading.domain.orders import OrderStatus


def lose_on_eth(trading: Trading, account_id: str, drop: str = "100") -> None:
    """Buy 1 ETH and close it `drop` dollars lower (plus slippage and fees)."""
    mark = trading.venue.marks["ETH-USD"]
    trading.place(account_id, "ETH-USD", "buy", "1")
    trading.move("ETH-USD", mark - D(drop))
    trading.close(account_id, "ETH-USD")


def test_reaching_the_limit_refuses_new_exposure_until_the_next_utc_day(
    trading: Trading,
) -> None:
    a = trading.open()
    trading.set_loss_limit(a, "100")
    lose_on_eth(trading, a)
    account = trading.account(a)
    assert account.results.day_loss(trading.now) > D(100)
    with pytest.raises(LossLimitReached, match="daily loss limit"):
        trading.place(a, "BTC-USD", "buy", "0.01")
    trading.clock.set(trading.now.replace(hour=23, minute=59))
    with pytest.raises(LossLimitReached):
        trading.place(a, "BTC-USD", "buy", "0.01")
    trading.clock.set(trading.now.replace(hour=0, minute=0) + timedelta(days=1))
    assert trading.place(a, "BTC-USD", "buy", "0.01").status is OrderStatus.FILLED


def test_orders_that_only_reduce_are_still_accepted(trading: Trading) -> None:
    a = trading.open()
    trading.place(a, "BTC-USD", "buy", "0.1")
    trading.set_loss_limit(a, "50")
    lose_on_eth(trading, a)
    trading.close(a, "BTC-USD")  # a market order that only reduces
    assert "BTC-USD" not in trading.account(a).positions


def test_gains_of_the_day_offset_its_losses(trading: Trading) -> None:
    a = trading.open()
    trading.set_loss_limit(a, "100")
    trading.place(a, "ETH-USD", "buy", "1")
    trading.move("ETH-USD", "3200")
    trading.close(a, "ETH-USD")  # about +200
    lose_on_eth(trading, a, "150")  # about -150: the day is still up
    assert trading.account(a).results.day_loss(trading.now) == 0
    assert trading.place(a, "BTC-USD", "buy", "0.01").status is OrderStatus.FILLED


def test_resting_orders_that_add_exposure_are_cancelled_when_the_limit_is_reached(
    trading: Trading,
) -> None:
    a = trading.open()
    bid = trading.place(a, "BTC-USD", "buy", "0.01", "limit", price="50000")
    trading.place(a, "ETH-USD", "buy", "1")
    stop = trading.place(a, "ETH-USD", "sell", "1", "stop_loss", trigger_price="2800")
    trading.set_loss_limit(a, "100")
    trading.move("ETH-USD", "2850")
    trading.close(a, "ETH-USD")
    assert bid.status is OrderStatus.CANCELLED
    assert bid.reason == "daily loss limit reached"
    assert stop.status is OrderStatus.CANCELLED  # it went with its position
    assert trading.account(a).open_orders == {}


def test_lowering_to_below_the_day_loss_applies_at_once(trading: Trading) -> None:
    a = trading.open()
    lose_on_eth(trading, a, "60")
    assert trading.place(a, "BTC-USD", "buy", "0.01").status is OrderStatus.FILLED
    trading.set_loss_limit(a, "50")
    with pytest.raises(LossLimitReached):
        trading.place(a, "BTC-USD", "buy", "0.01")


def test_a_reached_limit_cannot_be_raised_or_removed_the_same_day(trading: Trading) -> None:
    a = trading.open()
    trading.set_loss_limit(a, "100")
    lose_on_eth(trading, a)
    for loosened in ("500", None):
        with pytest.raises(Conflict, match="not raised or removed"):
            trading.set_loss_limit(a, loosened)
    assert trading.account(a).daily_loss_limit == D(100)
    trading.set_loss_limit(a, "80")  # tightening is always allowed
    trading.clock.advance(24 * 3600)
    assert trading.set_loss_limit(a, None).daily_loss_limit is None


def test_limits_must_be_positive(trading: Trading) -> None:
    a = trading.open()
    for bad in ("0", "-5"):
        with pytest.raises(InvalidOrder) as refused:
            trading.set_loss_limit(a, bad)
        assert refused.value.field == "daily_loss_limit"
    assert trading.account(a).daily_loss_limit is None
    assert trading.store.events(DailyLossLimitSet) == []


def test_funding_paid_counts_as_a_realized_loss(trading: Trading) -> None:
    a = trading.open()
    trading.place(a, "BTC-USD", "buy", "0.5")
    trading.set_loss_limit(a, "100")
    trading.pay_funding({"BTC-USD": D("0.002")})  # a long pays about $60
    assert trading.place(a, "ETH-USD", "buy", "0.1").status is OrderStatus.FILLED
    trading.pay_funding({"BTC-USD": D("0.002")}, at=trading.now + timedelta(hours=1))
    with pytest.raises(LossLimitReached):
        trading.place(a, "ETH-USD", "buy", "0.1")
