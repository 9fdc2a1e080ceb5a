"""Edges of an account's orders: a live order the venue takes or refuses, a stop-loss that
comes and goes under a position (how long the position went unprotected is what
progression rewards), a fill that completes an order already off the book here, and what
each marks for saving."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

from fakes import START

from astratrade.shared.money import ZERO
from astratrade.trading.domain.account import Account
from astratrade.trading.domain.account_terms import AccountKind
from astratrade.trading.domain.events import OrderCancelled, OrderFilled
from astratrade.trading.domain.orders import (
    Liquidity,
    Order,
    OrderStatus,
    OrderType,
    Side,
    TimeInForce,
)

MINUTE = timedelta(minutes=1)


def live_account() -> Account:
    return Account.open(
        "acc-1",
        owner_id="ann",
        kind=AccountKind.LIVE,
        currency="USD",
        default_leverage=D(10),
        at=START,
    )


def order(
    order_id: str,
    side: Side,
    size: str,
    *,
    limit: str | None = None,
    stop: str | None = None,
    status: OrderStatus = OrderStatus.OPEN,
) -> Order:
    return Order(
        id=order_id,
        account_id="acc-1",
        market="BTC-USD",
        side=side,
        type=OrderType.STOP_LOSS if stop else OrderType.LIMIT,
        size=D(size),
        price=D(limit) if limit else None,
        trigger_price=D(stop) if stop else None,
        reduce_only=stop is not None,
        time_in_force=TimeInForce.GTC,
        client_order_id=None,
        created_at=START,
        status=status,
    )


def trade(
    account: Account,
    side: Side,
    size: str,
    at: timedelta = timedelta(0),
    *,
    on: Order | None = None,
    venue: str | None = None,
) -> None:
    account.fill(
        fill_id=f"f-{len(account.new_fills) + 1}",
        order=on,
        market="BTC-USD",
        side=side,
        size=D(size),
        price=D(60_000),
        fee_rate=D("0.0005"),
        liquidity=Liquidity.TAKER,
        at=START + at,
        venue=venue,
    )


def forget_changes(account: Account) -> None:
    """What a commit leaves: the changes written, the events published."""
    account.pending_events.clear()
    account.dirty_orders.clear()
    account.dirty_positions.clear()


def test_a_pending_live_order_the_venue_takes_is_open_from_that_moment() -> None:
    account = live_account()
    pending = order("o-1", Side.BUY, "1", limit="59000", status=OrderStatus.PENDING)
    account.accept(pending)
    forget_changes(account)
    account.confirm_order(pending, START + MINUTE)
    assert (pending.status, pending.updated_at) == (OrderStatus.OPEN, START + MINUTE)
    assert account.dirty_orders == {"o-1": pending}
    assert account.open_orders == {"o-1": pending}
    assert account.pending_events == []


def test_a_pending_live_order_the_venue_refuses_ends_rejected_with_its_reason() -> None:
    account = live_account()
    pending = order("o-1", Side.BUY, "1", limit="59000", status=OrderStatus.PENDING)
    account.accept(pending)
    forget_changes(account)
    account.reject_order(pending, "insufficient balance on Extended", START + MINUTE)
    assert (pending.status, pending.reason, pending.updated_at) == (
        OrderStatus.REJECTED,
        "insufficient balance on Extended",
        START + MINUTE,
    )
    assert account.open_orders == {}
    assert account.dirty_orders == {"o-1": pending}
    assert account.pending_events == [
        OrderCancelled(
            order_id="o-1",
            account_id="acc-1",
            owner_id="ann",
            status="rejected",
            reason="insufficient balance on Extended",
        )
    ]


def test_a_venue_fill_names_the_venue_and_marks_the_new_position_for_saving() -> None:
    account = live_account()
    forget_changes(account)
    trade(account, Side.BUY, "0.5", venue="extended")
    assert account.pending_events == [
        OrderFilled(
            fill_id="f-1",
            order_id=None,
            account_id="acc-1",
            owner_id="ann",
            market="BTC-USD",
            side="buy",
            size=D("0.5"),
            price=D(60_000),
            fee=D(15),
            liquidity="taker",
            realized_pnl=ZERO,
            position_size=D("0.5"),
            position_entry_price=D(60_000),
            venue="extended",
        )
    ]
    assert account.collateral == D(-15)
    assert account.dirty_positions == {"BTC-USD"}


def test_a_stop_placed_under_a_position_protects_it_and_marks_it_for_saving() -> None:
    account = live_account()
    trade(account, Side.BUY, "2")
    forget_changes(account)
    stop = order("s-1", Side.SELL, "2", stop="58000")
    account.accept(stop)
    position = account.positions["BTC-USD"]
    assert (position.unprotected_since, position.risk_at_stop) == (None, D(4000))
    assert account.dirty_positions == {"BTC-USD"}


def test_cancelling_the_last_stop_leaves_the_position_unprotected_from_then_on() -> None:
    account = live_account()
    trade(account, Side.BUY, "2")
    stop = order("s-1", Side.SELL, "2", stop="58000")
    account.accept(stop)
    forget_changes(account)
    account.cancel_order(stop, "cancelled by the trader", START + 5 * MINUTE)
    assert account.positions["BTC-USD"].unprotected_since == START + 5 * MINUTE
    assert account.dirty_positions == {"BTC-USD"}


def test_a_stop_filled_in_full_leaves_the_rest_of_the_position_unprotected_from_then() -> None:
    account = live_account()
    trade(account, Side.BUY, "2")
    stop = order("s-1", Side.SELL, "1", stop="58000")
    account.accept(stop)
    trade(account, Side.SELL, "1", 7 * MINUTE, on=stop)
    assert (stop.status, account.open_orders) == (OrderStatus.FILLED, {})
    position = account.positions["BTC-USD"]
    assert (position.size, position.unprotected_since) == (D(1), START + 7 * MINUTE)


def test_a_position_opened_under_a_resting_stop_is_protected_from_its_first_moment() -> None:
    account = live_account()
    account.accept(order("s-1", Side.SELL, "1", stop="58500"))
    trade(account, Side.BUY, "1", 3 * MINUTE)
    position = account.positions["BTC-USD"]
    assert position.opened_at == START + 3 * MINUTE
    assert (position.unprotected_since, position.risk_at_stop) == (None, D(1500))
    assert position.unprotected_for(START + 10 * MINUTE) == timedelta(0)


def test_a_venue_fill_completing_an_order_already_off_the_book_here_is_still_booked() -> None:
    """The trader cancelled here while the venue was filling it: the venue's trade stands."""
    account = live_account()
    limit = order("o-1", Side.BUY, "1", limit="60000")
    account.accept(limit)
    account.cancel_order(limit, "cancelled by the trader", START + MINUTE)
    trade(account, Side.BUY, "1", 2 * MINUTE, on=limit, venue="extended")
    assert (limit.status, limit.filled_size, limit.updated_at) == (
        OrderStatus.FILLED,
        D(1),
        START + 2 * MINUTE,
    )
    assert account.open_orders == {}
    assert account.positions["BTC-USD"].size == D(1)
    assert account.collateral == D(-30)
