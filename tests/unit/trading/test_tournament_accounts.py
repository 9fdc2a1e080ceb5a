"""Tournament accounts: opened once with the starting capital from the house, trading only
the tournament's markets, only while it runs (reducing is always allowed)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from fakes import HOUSE_ID, Trading

from astratrade.trading import handlers
from astratrade.trading.domain.account_terms import AccountKind
from astratrade.trading.domain.commands import OpenTournamentAccount
from astratrade.trading.domain.errors import InvalidOrder, OrderRejected
from astratrade.trading.domain.events import CollateralDeposited
from astratrade.trading.domain.orders import OrderStatus

HOUR = timedelta(hours=1)


def enter(trading: Trading, starts_in: timedelta = HOUR, lasts: timedelta = 24 * HOUR) -> str:
    opens = trading.now + starts_in
    cmd = OpenTournamentAccount(
        owner_id="trader-1",
        account_id="tour-acct-1",
        starting_capital=D(5000),
        markets=("BTC-USD", "ETH-USD"),
        opens_at=opens,
        closes_at=opens + lasts,
    )
    for _ in range(2):  # delivered twice: one account, one deposit
        trading.call(
            lambda uow: handlers.open_tournament_account(cmd, uow, trading.venue, trading.now)
        )
    return cmd.account_id


def test_the_account_opens_once_with_the_starting_capital(trading: Trading) -> None:
    total = trading.total_collateral()
    a = enter(trading)
    account = trading.account(a)
    assert (account.kind, account.collateral) == (AccountKind.TOURNAMENT, D(5000))
    (deposit,) = trading.store.events(CollateralDeposited)[-1:]
    assert (deposit.account_id, deposit.source, deposit.reason) == (
        a,
        HOUSE_ID,
        "tournament_capital",
    )
    assert trading.total_collateral() == total  # the house paid it


def test_it_trades_only_the_tournaments_markets_while_it_runs(trading: Trading) -> None:
    a = enter(trading)
    with pytest.raises(OrderRejected, match="trades from"):
        trading.place(a, "BTC-USD", "buy", "0.01")  # not started yet
    trading.clock.advance(HOUR.total_seconds())
    with pytest.raises(InvalidOrder) as refused:
        trading.place(a, "SOL-USD", "buy", "1")
    assert refused.value.field == "market"
    assert trading.place(a, "BTC-USD", "buy", "0.01").status is OrderStatus.FILLED

    trading.clock.advance(24 * HOUR.total_seconds())  # over
    with pytest.raises(OrderRejected, match="only reducing"):
        trading.place(a, "ETH-USD", "buy", "0.1")
    assert trading.close(a, "BTC-USD").status is OrderStatus.FILLED  # reducing is allowed
