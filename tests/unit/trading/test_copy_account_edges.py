"""Edges of copy accounts' rules in trading: what the floor stop cancels and says, the legs
a copy's allocation and return take through the transit, and a profit share that is the
first money moved in a new week."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from copy_desk import CopyDesk
from fakes import START, Trading

from astratrade.trading.domain.copies import TRANSIT_ID, debit_profit_share, move_through_transit
from astratrade.trading.domain.events import (
    CollateralDeposited,
    CollateralWithdrawn,
    CopyStopLossReached,
    OrderCancelled,
)
from astratrade.trading.domain.orders import OrderStatus
from astratrade.trading.domain.results import week_start

MINUTE = timedelta(minutes=1)
WEEK = timedelta(days=7)


@pytest.fixture
def desk(trading: Trading) -> CopyDesk:
    return CopyDesk(trading)


def test_the_floor_stop_cancels_resting_orders_for_the_copy_stop_loss(desk: CopyDesk) -> None:
    """A resting order holds margin and could still fill: at the floor it is cancelled, at
    the moment of the stop and naming it, before the positions are closed at market."""
    desk.start("1000", "0.5")  # floor 500
    desk.copy_fill("BTC-USD", "buy", "0.1", leverage="10")
    resting = desk.trading.place(
        desk.copy_account, "BTC-USD", "sell", "0.05", "limit", price="70000", reduce_only=True
    )
    stopped_at = START + MINUTE
    desk.trading.clock.set(stopped_at)
    desk.trading.move("BTC-USD", 55_000)
    assert len(desk.trading.store.events(CopyStopLossReached)) == 1
    (cancelled,) = desk.trading.store.events(OrderCancelled)
    assert (cancelled.order_id, cancelled.account_id, cancelled.owner_id) == (
        resting.id,
        desk.copy_account,
        "copier",
    )
    assert (cancelled.status, cancelled.reason) == ("cancelled", "copy stop-loss")
    kept = desk.trading.store.orders[resting.id]
    assert (kept.status, kept.reason, kept.updated_at) == (
        OrderStatus.CANCELLED,
        "copy stop-loss",
        stopped_at,
    )
    assert desk.account.open_orders == {}
    assert desk.account.positions == {}


def test_a_copy_s_allocation_and_return_cross_the_transit_named_by_the_copy(
    desk: CopyDesk,
) -> None:
    desk.start("1000")
    desk.close(profit_share="0")
    moved = [
        (type(e).__name__, e.account_id, e.amount, e.reason, e.transfer_id)
        for e in desk.trading.store.committed
        if isinstance(e, CollateralDeposited | CollateralWithdrawn) and e.transfer_id == "copy-1"
    ]
    assert moved == [
        ("CollateralWithdrawn", desk.source, D(1000), "copy_allocation", "copy-1"),
        ("CollateralDeposited", desk.copy_account, D(1000), "copy_allocation", "copy-1"),
        ("CollateralWithdrawn", desk.copy_account, D(1000), "copy_return", "copy-1"),
        ("CollateralDeposited", desk.source, D(1000), "copy_return", "copy-1"),
    ]
    assert desk.trading.account(desk.source).collateral == D(10_000)


def test_money_through_the_transit_is_two_legs_of_one_transfer(trading: Trading) -> None:
    payer = trading.account(trading.open("ann"))
    payee = trading.account(trading.open("bob"))
    move_through_transit(
        payer, payee, D("123.45"), reason="copy_return", transfer_id="copy-9", at=START
    )
    out, into = payer.pending_events[-1], payee.pending_events[-1]
    assert out == CollateralWithdrawn(
        account_id=payer.id,
        amount=D("123.45"),
        destination=TRANSIT_ID,
        reason="copy_return",
        transfer_id="copy-9",
    )
    assert into == CollateralDeposited(
        account_id=payee.id,
        amount=D("123.45"),
        source=TRANSIT_ID,
        reason="copy_return",
        transfer_id="copy-9",
    )
    assert (payer.collateral, payee.collateral) == (D("9876.55"), D("10123.45"))


def test_a_profit_share_opening_a_new_week_lowers_that_week_s_capital(desk: CopyDesk) -> None:
    """The week's capital starts from the collateral held when the week's first change
    comes; a share debited then lowers it from there, as a withdrawal would."""
    desk.start("1000")
    account = desk.account
    next_week = START + WEEK
    taken = debit_profit_share(
        account, D("30.25"), D(1000), leader_account_id="lead", transfer_id="t-1", at=next_week
    )
    assert taken == D("30.25")
    assert account.collateral == D("969.75")
    assert (account.results.week, account.results.week_capital) == (
        week_start(next_week),
        D("969.75"),
    )
    assert account.results.week_pnl == 0
