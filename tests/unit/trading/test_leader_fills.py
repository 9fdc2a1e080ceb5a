"""LeaderFilled: each fill of a leading practice account, with what copy trading sizes a
copy by (the position before, the equity right after, the leverage); nothing for accounts
that lead nobody, and never for a copy account."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from copy_desk import CopyDesk
from fakes import Trading

from astratrade.trading.domain.events import LeaderFilled, OrderFilled


@pytest.fixture
def desk(trading: Trading) -> CopyDesk:
    return CopyDesk(trading)


def test_a_leading_accounts_fill_publishes_leader_filled(desk: CopyDesk) -> None:
    t = desk.trading
    desk.opt_in()
    t.set_leverage(desk.leader_account, "ETH-USD", 5)
    t.place(desk.leader_account, "ETH-USD", "buy", "2")
    t.place(desk.leader_account, "ETH-USD", "sell", "0.5")
    opened, reduced = t.store.events(LeaderFilled)
    fill = t.store.events(OrderFilled)[-1]
    account = t.account(desk.leader_account)
    assert (opened.position_before, reduced.position_before) == (D(0), D(2))
    assert (reduced.fill_id, reduced.size, reduced.price, reduced.side) == (
        fill.fill_id,
        D("0.5"),
        fill.price,
        "sell",
    )
    assert reduced.equity == account.margin(t.venue.marks, t.venue.markets).equity.quantize(
        D("0.000001")
    )
    assert (reduced.leverage, reduced.liquidation, reduced.owner_id) == (D(5), False, "leader")


def test_an_account_that_leads_nobody_publishes_nothing_more(desk: CopyDesk) -> None:
    desk.trading.place(desk.leader_account, "ETH-USD", "buy", "1")
    desk.opt_in()
    desk.stop_leading(with_account=False)  # an older LeaderStopped: found by its owner
    desk.trading.place(desk.leader_account, "ETH-USD", "buy", "1")
    assert desk.trading.store.events(LeaderFilled) == []
    assert not desk.trading.account(desk.leader_account).leading


def test_a_leaders_liquidation_fills_say_so(desk: CopyDesk) -> None:
    t = desk.trading
    desk.opt_in()
    t.set_leverage(desk.leader_account, "BTC-USD", 10)
    t.place(desk.leader_account, "BTC-USD", "buy", "1.5")
    t.move("BTC-USD", 53_600)  # equity below the 0.5% maintenance
    liquidated = t.store.events(LeaderFilled)[-1]
    assert (liquidated.liquidation, liquidated.position_before) == (True, D("1.5"))


def test_a_copy_account_never_leads(desk: CopyDesk) -> None:
    desk.start("1000")
    desk.opt_in(account_id=desk.copy_account)
    desk.copy_fill("ETH-USD", "buy", "0.1")
    assert not desk.account.leading
    assert desk.trading.store.events(LeaderFilled) == []
