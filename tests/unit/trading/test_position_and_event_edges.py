"""Every field of the events an account records, and which stop-loss guards a position.

Events are compared whole: ledger, progression and the live feed read each field, so a field
left empty or taken from the wrong place is a broken fact downstream."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal as D

from fakes import START, Trading

from astratrade.trading.domain.account import Account
from astratrade.trading.domain.account_terms import AccountKind
from astratrade.trading.domain.events import (
    OrderAccepted,
    OrderFilled,
    PositionClosed,
)
from astratrade.trading.domain.orders import (
    Liquidity,
    Order,
    OrderType,
    Side,
    TimeInForce,
)

TRADER = "trader-1"


def practice_account() -> Account:
    account = Account.open(
        "acc-1",
        owner_id=TRADER,
        kind=AccountKind.PRACTICE,
        currency="USD",
        default_leverage=D(5),
        at=START,
    )
    account.pending_events.clear()
    return account


def trigger_order(order_id: str, side: Side, type: OrderType, trigger: str) -> Order:
    return Order(
        id=order_id,
        account_id="acc-1",
        market="ETH-USD",
        side=side,
        type=type,
        size=D(1),
        price=None,
        trigger_price=D(trigger),
        reduce_only=True,
        time_in_force=TimeInForce.GTC,
        client_order_id=None,
        created_at=START,
    )


def buy_one_eth(account: Account, at_seconds: int) -> None:
    account.fill(
        fill_id=f"fill-{at_seconds}",
        order=None,
        market="ETH-USD",
        side=Side.BUY,
        size=D(1),
        price=D(3000),
        fee_rate=D(0),
        liquidity=Liquidity.TAKER,
        at=START + timedelta(seconds=at_seconds),
    )


# -- OrderAccepted ---------------------------------------------------------------------------


def test_a_resting_limit_is_accepted_with_every_term_the_trader_gave(trading: Trading) -> None:
    a = trading.open()
    order = trading.place(
        a, "ETH-USD", "buy", "0.5", "limit", price="2900", client_order_id="my-limit-1"
    )
    assert trading.store.events(OrderAccepted) == [
        OrderAccepted(
            order_id=order.id,
            account_id=a,
            owner_id=TRADER,
            market="ETH-USD",
            side="buy",
            type="limit",
            size=D("0.5"),
            price=D(2900),
            trigger_price=None,
            reduce_only=False,
            time_in_force="gtc",
            client_order_id="my-limit-1",
        )
    ]


def test_a_stop_loss_is_accepted_as_a_reduce_only_order_with_its_trigger(
    trading: Trading,
) -> None:
    a = trading.open()
    trading.place(a, "ETH-USD", "buy", "1")
    stop = trading.place(a, "ETH-USD", "sell", "1", "stop_loss", trigger_price="2900")
    assert trading.store.events(OrderAccepted)[-1] == OrderAccepted(
        order_id=stop.id,
        account_id=a,
        owner_id=TRADER,
        market="ETH-USD",
        side="sell",
        type="stop_loss",
        size=D(1),
        price=None,
        trigger_price=D(2900),
        reduce_only=True,
        time_in_force="gtc",
        client_order_id=None,
    )


# -- OrderFilled and PositionClosed ----------------------------------------------------------


def test_a_flip_reports_both_fills_and_each_position_with_its_own_opening(
    trading: Trading,
) -> None:
    """Long 1 at 3000.31, then sell 2 a minute later: the long closes (-0.63) and a short of 1
    opens at the fill price, 2999.68; bought back 30 s later it closes for -0.63 again."""
    a = trading.open()
    bought = trading.place(a, "ETH-USD", "buy", "1")
    trading.clock.advance(60)
    flipped_at = trading.now
    sold = trading.place(a, "ETH-USD", "sell", "2")
    trading.clock.advance(30)
    closed = trading.close(a, "ETH-USD")

    def filled(order: Order, side: str, size: str, price: str, fee: str, **after: D) -> OrderFilled:
        (fill,) = order.fills
        return OrderFilled(
            fill_id=fill.id,
            order_id=order.id,
            account_id=a,
            owner_id=TRADER,
            market="ETH-USD",
            side=side,
            size=D(size),
            price=D(price),
            fee=D(fee),
            liquidity="taker",
            venue=None,
            **after,
        )

    assert trading.store.events(OrderFilled) == [
        filled(
            bought, "buy", "1", "3000.31", "0.750078",
            realized_pnl=D(0), position_size=D(1), position_entry_price=D("3000.31"),
        ),
        filled(
            sold, "sell", "2", "2999.68", "1.499840",
            realized_pnl=D("-0.63"), position_size=D(-1), position_entry_price=D("2999.68"),
        ),
        filled(
            closed, "buy", "1", "3000.31", "0.750078",
            realized_pnl=D("-0.63"), position_size=D(0), position_entry_price=D("2999.68"),
        ),
    ]  # fmt: skip

    def position_closed(
        opened_at: datetime, equity_at_open: str, unprotected: int, collateral: str, week_pnl: str
    ) -> PositionClosed:
        return PositionClosed(
            account_id=a,
            owner_id=TRADER,
            market="ETH-USD",
            opened_at=opened_at,
            realized_pnl=D("-0.63"),
            liquidated=False,
            account_kind="practice",
            equity_at_open=D(equity_at_open),
            unprotected_seconds=D(unprotected),
            risk_at_stop=None,  # no stop ever guarded either
            collateral=D(collateral),
            week_pnl=D(week_pnl),
            week_capital=D(10_000),
        )

    assert trading.store.events(PositionClosed) == [
        position_closed(START, "9999.249922", 60, "9997.120082", "-2.879918"),
        position_closed(flipped_at, "9997.120082", 30, "9995.740004", "-4.259996"),
    ]


def test_a_fill_the_live_venue_made_names_the_venue() -> None:
    account = practice_account()
    account.fill(
        fill_id="venue-fill-1",
        order=None,
        market="ETH-USD",
        side=Side.SELL,
        size=D("0.2"),
        price=D(3000),
        fee_rate=D("0.00025"),
        liquidity=Liquidity.MAKER,
        at=START,
        venue="extended",
    )
    assert account.pending_events[-1] == OrderFilled(
        fill_id="venue-fill-1",
        order_id=None,
        account_id="acc-1",
        owner_id=TRADER,
        market="ETH-USD",
        side="sell",
        size=D("0.2"),
        price=D(3000),
        fee=D("0.150000"),
        liquidity="maker",
        realized_pnl=D(0),
        position_size=D("-0.2"),
        position_entry_price=D(3000),
        venue="extended",
    )


# -- which stop-loss guards a position --------------------------------------------------------


def test_a_long_opened_under_resting_stops_is_guarded_by_the_farthest_from_its_entry() -> None:
    """Stops on the book before the position opens (a live venue can hold them) guard it
    from its first second; its risk is measured to the farthest one, 2800, not to the
    nearest (2950), nor to a take-profit (3500), nor to a stop of another market."""
    account = practice_account()
    account.accept(trigger_order("near", Side.SELL, OrderType.STOP_LOSS, "2950"))
    account.accept(trigger_order("far", Side.SELL, OrderType.STOP_LOSS, "2800"))
    account.accept(trigger_order("profit", Side.SELL, OrderType.TAKE_PROFIT, "3500"))
    other = trigger_order("btc-stop", Side.SELL, OrderType.STOP_LOSS, "10")
    other.market = "BTC-USD"
    account.accept(other)
    buy_one_eth(account, at_seconds=10)
    position = account.positions["ETH-USD"]
    assert position.risk_at_stop == D(200)  # |3000 - 2800| x 1
    assert position.unprotected_for(START + timedelta(hours=1)) == timedelta(0)
    assert position.opened_at == START + timedelta(seconds=10)


def test_a_take_profit_left_after_the_last_stop_is_cancelled_does_not_guard(
    trading: Trading,
) -> None:
    a = trading.open()
    trading.place(a, "ETH-USD", "buy", "1")
    stop = trading.place(a, "ETH-USD", "sell", "1", "stop_loss", trigger_price="2900")
    trading.place(a, "ETH-USD", "sell", "1", "take_profit", trigger_price="3100")
    trading.cancel(a, stop.id)
    trading.clock.advance(45)
    trading.close(a, "ETH-USD")
    (event,) = trading.store.events(PositionClosed)
    assert event.unprotected_seconds == D(45)
