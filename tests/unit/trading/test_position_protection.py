"""What trading reports about a closed position's protection: how long it went without a
stop-loss, the risk at its stop, the equity when it opened (progression rewards these)."""

from __future__ import annotations

from decimal import Decimal as D

from fakes import GRANT, Trading

from astratrade.trading.domain.events import PositionClosed


def closed(trading: Trading) -> PositionClosed:
    (event,) = trading.store.events(PositionClosed)
    return event


def test_a_stop_set_right_after_opening_and_kept_to_the_close(trading: Trading) -> None:
    a = trading.open()
    trading.place(a, "ETH-USD", "buy", "1")  # at 3000.31
    equity = trading.account(a).collateral
    trading.clock.advance(5)
    trading.place(a, "ETH-USD", "sell", "1", "stop_loss", trigger_price="2900")
    trading.clock.advance(3600)
    trading.move("ETH-USD", "2900")  # the stop closes it
    event = closed(trading)
    assert event.unprotected_seconds == D(5)
    assert event.risk_at_stop == D("100.31")  # (3000.31 - 2900) x 1
    assert event.equity_at_open == equity
    assert event.account_kind == "practice"
    assert not event.liquidated


def test_a_position_without_a_stop_is_unprotected_for_its_whole_life(trading: Trading) -> None:
    a = trading.open()
    trading.place(a, "ETH-USD", "buy", "1")
    trading.clock.advance(90.5)
    trading.close(a, "ETH-USD")
    event = closed(trading)
    assert event.unprotected_seconds == D("90.5")
    assert event.risk_at_stop is None
    assert event.equity_at_open == GRANT - D("0.750078")  # after the opening fee


def test_cancelling_the_stop_counts_the_time_until_the_close(trading: Trading) -> None:
    a = trading.open()
    trading.place(a, "ETH-USD", "buy", "1")
    stop = trading.place(a, "ETH-USD", "sell", "1", "stop_loss", trigger_price="2900")
    trading.clock.advance(60)
    trading.cancel(a, stop.id)
    trading.clock.advance(120)
    trading.close(a, "ETH-USD")
    assert closed(trading).unprotected_seconds == D(120)


def test_the_longest_gap_counts_and_another_stop_keeps_it_guarded(trading: Trading) -> None:
    a = trading.open()
    trading.place(a, "ETH-USD", "buy", "1")
    first = trading.place(a, "ETH-USD", "sell", "1", "stop_loss", trigger_price="2900")
    trading.place(a, "ETH-USD", "sell", "1", "stop_loss", trigger_price="2800")
    trading.cancel(a, first.id)  # the other still guards it
    trading.clock.advance(30)
    trading.close(a, "ETH-USD")
    event = closed(trading)
    assert event.unprotected_seconds == D(0)
    assert event.risk_at_stop == D("100.31")  # set by the first stop, when it was placed


def test_a_take_profit_is_no_protection(trading: Trading) -> None:
    a = trading.open()
    trading.place(a, "ETH-USD", "buy", "1")
    trading.place(a, "ETH-USD", "sell", "1", "take_profit", trigger_price="3100")
    trading.clock.advance(10)
    trading.move("ETH-USD", "3100")
    assert closed(trading).unprotected_seconds == D(10)
