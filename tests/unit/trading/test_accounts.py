"""Accounts: the house and insurance fund, the practice grant, ownership, and the fakes'
unit of work (commit numbers events, a failing command rolls back)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fakes import (
    GRANT,
    HOUSE_ID,
    INSURANCE_ID,
    INSURANCE_SEED,
    START,
    FakeStore,
    FakeTradingUnitOfWork,
    Trading,
    ensure_system_accounts,
    open_practice_account,
    run,
    venue,
)

from astratrade.trading import handlers
from astratrade.trading.domain.account_terms import AccountKind
from astratrade.trading.domain.commands import PlaceOrder
from astratrade.trading.domain.errors import InsufficientMargin, NotFound
from astratrade.trading.domain.events import AccountOpened, CollateralDeposited
from astratrade.trading.domain.orders import OrderType, Side

D = Decimal


def test_system_accounts_are_created_once_and_the_house_seeds_the_fund() -> None:
    store = FakeStore()
    v = venue()
    ensure_system_accounts(store, v)
    ensure_system_accounts(store, v)  # idempotent
    assert store.accounts[HOUSE_ID].kind is AccountKind.HOUSE
    assert store.accounts[INSURANCE_ID].kind is AccountKind.INSURANCE
    assert store.accounts[INSURANCE_ID].collateral == INSURANCE_SEED
    assert store.accounts[HOUSE_ID].collateral == -INSURANCE_SEED
    assert len(store.events(AccountOpened)) == 2
    (seed,) = store.events(CollateralDeposited)
    assert (seed.account_id, seed.amount, seed.source, seed.reason) == (
        INSURANCE_ID,
        INSURANCE_SEED,
        HOUSE_ID,
        "insurance_seed",
    )
    assert store.total_collateral() == 0


def test_practice_account_is_opened_once_with_the_grant_from_the_house() -> None:
    store = FakeStore()
    v = venue()
    ensure_system_accounts(store, v)
    account = open_practice_account(store, v, "alice")
    again = open_practice_account(store, v, "alice")
    assert again is account
    assert account.kind is AccountKind.PRACTICE
    assert account.owner_id == "alice"
    assert account.collateral == GRANT
    assert account.leverage["BTC-USD"] == D(5)
    assert store.accounts[HOUSE_ID].collateral == -INSURANCE_SEED - GRANT
    grants = [e for e in store.events(CollateralDeposited) if e.reason == "practice_grant"]
    assert [(e.account_id, e.amount, e.source) for e in grants] == [(account.id, GRANT, HOUSE_ID)]
    bob = open_practice_account(store, v, "bob")
    assert bob.id != account.id
    assert store.total_collateral() == 0


def test_practice_account_needs_the_system_accounts() -> None:
    store = FakeStore()
    with pytest.raises(RuntimeError, match="system accounts"):
        open_practice_account(store, venue(), "alice")
    assert store.accounts == {}  # the failed unit of work left nothing behind
    assert store.committed == []


def test_another_traders_account_is_not_found(trading: Trading) -> None:
    a = trading.open("alice")
    trading.place(a, "ETH-USD", "buy", "1")

    def order(owner_id: str, account_id: str) -> PlaceOrder:
        return PlaceOrder(
            owner_id=owner_id,
            account_id=account_id,
            market="ETH-USD",
            side=Side.SELL,
            type=OrderType.MARKET,
            size=D(1),
        )

    for cmd in (order("mallory", a), order("alice", "no-such-account")):
        with pytest.raises(NotFound):
            trading.call(lambda uow, c=cmd: handlers.place_order(c, uow, trading.venue, START))
    assert trading.account(a).positions["ETH-USD"].size == D(1)


def test_closing_without_a_position_is_not_found(trading: Trading) -> None:
    a = trading.open()
    with pytest.raises(NotFound):
        trading.close(a, "BTC-USD")


def test_commit_numbers_events_per_account_and_clears_them(trading: Trading) -> None:
    a = trading.open()
    uow = FakeTradingUnitOfWork(trading.store, trading.clock)
    cmd = trading.place_command(a, "ETH-USD", "buy", "1")
    run(handlers.place_order(cmd, uow, trading.venue, START))
    envelopes = trading.store.envelopes
    mine = [e for e in envelopes if e.aggregate_id == a]
    assert [e.type for e in mine] == [
        "AccountOpened",
        "CollateralDeposited",
        "OrderAccepted",
        "OrderFilled",
    ]
    assert [e.aggregate_version for e in mine] == [1, 2, 3, 4]
    assert trading.account(a).version == 4
    assert trading.account(a).pending_events == []
    assert not trading.account(a).is_dirty
    assert mine[-1].payload["price"] == "3000.31"  # decimals travel as strings


def test_a_failing_command_rolls_back_to_the_committed_state(trading: Trading) -> None:
    a = trading.open()
    trading.place(a, "ETH-USD", "buy", "1")
    committed = trading.account(a).collateral

    async def half_done(uow: FakeTradingUnitOfWork) -> None:
        account = await uow.accounts.get(a)
        assert account is not None
        account.adjust(D(-5000))
        raise InsufficientMargin("boom")

    with pytest.raises(InsufficientMargin):
        trading.call(half_done)
    assert trading.account(a).collateral == committed
    assert trading.store.rollbacks == 1
    assert trading.total_collateral() == 0
