"""Edges of the trading account itself: everything a new account starts with, what a stored
account is loaded with, the settings a trader changes and the facts they announce, money
moved in and out to the cent, the daily loss limit met exactly, and funding booked with or
without a position. What an account marks for saving is checked too: the repository
writes only that."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

from fakes import START

from astratrade.shared.money import ZERO
from astratrade.trading.domain.account import Account
from astratrade.trading.domain.account_terms import (
    AccountKind,
    CopyState,
    CopyTerms,
    LeverageSettings,
)
from astratrade.trading.domain.events import (
    AccountOpened,
    CollateralDeposited,
    CollateralWithdrawn,
    FundingPaid,
    LeverageSet,
)
from astratrade.trading.domain.orders import Liquidity, Side
from astratrade.trading.domain.results import PeriodResults

HOUR = timedelta(hours=1)


def opened(kind: AccountKind = AccountKind.PRACTICE, copy: CopyTerms | None = None) -> Account:
    return Account.open(
        "acc-1",
        owner_id="ann",
        kind=kind,
        currency="USD",
        default_leverage=D(10),
        at=START,
        copy=copy,
    )


def saved(account: Account) -> Account:
    """The account as the unit of work leaves it after a commit: nothing left to write."""
    account.pending_events.clear()
    account.dirty_orders.clear()
    account.dirty_positions.clear()
    account.dirty_leverage.clear()
    account.new_fills.clear()
    account.row_changed = False
    return account


def test_a_new_account_has_no_money_positions_or_orders_and_announces_its_opening() -> None:
    account = opened()
    assert (account.id, account.version, account.owner_id) == ("acc-1", 0, "ann")
    assert (account.kind, account.currency, account.created_at) == (
        AccountKind.PRACTICE,
        "USD",
        START,
    )
    assert account.collateral == ZERO
    assert account.leverage == {}
    assert account.leverage["BTC-USD"] == D(10)  # every market at the default
    assert (account.positions, account.open_orders) == ({}, {})
    assert account.results == PeriodResults()
    assert account.daily_loss_limit is None
    assert (account.window, account.copy) == (None, None)
    assert account.leading is False
    assert account.pending_events == [
        AccountOpened(account_id="acc-1", owner_id="ann", kind="practice", currency="USD")
    ]
    # A new account's row must be inserted even before anything else happens to it.
    assert account.row_changed is True
    assert (account.dirty_orders, account.dirty_positions, account.dirty_leverage) == (
        {},
        set(),
        set(),
    )
    assert (account.new_fills, account.new_venue_payments) == ([], [])


def test_an_account_loaded_from_storage_keeps_its_stored_state_and_has_nothing_to_write() -> None:
    created = START - timedelta(days=30)
    account = Account(
        "acc-2",
        owner_id="bob",
        kind=AccountKind.LIVE,
        currency="USDC",
        collateral=D("1234.56"),
        leverage=LeverageSettings(D(5), {"ETH-USD": D(3)}),
        created_at=created,
        daily_loss_limit=D(250),
        leading=True,
        version=7,
    )
    assert (account.id, account.version, account.owner_id, account.kind) == (
        "acc-2",
        7,
        "bob",
        AccountKind.LIVE,
    )
    assert (account.currency, account.collateral, account.created_at) == (
        "USDC",
        D("1234.56"),
        created,
    )
    assert (account.leverage["ETH-USD"], account.leverage["BTC-USD"]) == (D(3), D(5))
    assert account.daily_loss_limit == D(250)
    assert account.leading is True
    assert account.row_changed is False
    assert not account.is_dirty


def test_an_account_loaded_without_copy_trading_does_not_lead() -> None:
    account = Account(
        "acc-3",
        owner_id="cy",
        kind=AccountKind.PRACTICE,
        currency="USD",
        collateral=ZERO,
        leverage=LeverageSettings(D(10)),
        created_at=START,
    )
    assert account.leading is False
    assert account.daily_loss_limit is None


def test_setting_leverage_announces_it_and_marks_only_that_market_for_saving() -> None:
    account = saved(opened())
    account.set_leverage("ETH-USD", D(20))
    assert account.pending_events == [
        LeverageSet(account_id="acc-1", market="ETH-USD", leverage=D(20))
    ]
    assert account.dirty_leverage == {"ETH-USD"}
    assert (account.leverage["ETH-USD"], account.leverage["BTC-USD"]) == (D(20), D(10))


def test_a_copy_accounts_new_state_marks_its_row_for_saving() -> None:
    account = saved(opened(AccountKind.COPY, CopyTerms("copy-1", D(800))))
    account.set_copy_state(CopyState.STOPPING)
    assert account.copy == CopyTerms("copy-1", D(800), CopyState.STOPPING)
    assert account.row_changed is True


def test_an_account_without_a_copy_ignores_a_copy_state() -> None:
    account = saved(opened())
    account.set_copy_state(CopyState.CLOSED)
    assert (account.copy, account.row_changed) == (None, False)


def test_money_moved_without_a_fact_of_its_own_is_exact_and_marks_the_row() -> None:
    account = saved(opened())
    account.adjust(D("12.34"))
    assert account.collateral == D("12.34")
    assert account.row_changed is True
    assert account.pending_events == []
    account.row_changed = False
    account.adjust(D("-0.01"))
    assert (account.collateral, account.row_changed) == (D("12.33"), True)


def test_a_deposit_and_a_withdrawal_move_collateral_to_the_cent_and_say_why() -> None:
    account = saved(opened())
    account.deposit(D("100.25"), source="house", reason="practice_grant", at=START)
    account.withdraw(D("40.10"), destination="wallet", transfer_id="t-9", at=START + HOUR)
    assert account.collateral == D("60.15")
    assert account.row_changed is True
    assert account.pending_events == [
        CollateralDeposited(
            account_id="acc-1",
            amount=D("100.25"),
            source="house",
            reason="practice_grant",
            transfer_id=None,
        ),
        CollateralWithdrawn(
            account_id="acc-1",
            amount=D("40.10"),
            destination="wallet",
            reason="withdrawal",
            transfer_id="t-9",
        ),
    ]


def test_the_daily_loss_limit_is_reached_once_the_days_loss_equals_it() -> None:
    account = opened()
    account.settle(D("-250.00"), START)
    account.daily_loss_limit = D(250)
    assert account.loss_limit_reached(START + HOUR)
    account.daily_loss_limit = D("250.01")
    assert not account.loss_limit_reached(START + HOUR)
    account.daily_loss_limit = D(250)
    assert not account.loss_limit_reached(START + timedelta(days=1))  # a new UTC day


def long_btc(account: Account) -> None:
    account.fill(
        fill_id="f-1",
        order=None,
        market="BTC-USD",
        side=Side.BUY,
        size=D("0.5"),
        price=D(60_000),
        fee_rate=ZERO,
        liquidity=Liquidity.TAKER,
        at=START,
    )


def test_funding_the_live_venue_charged_names_the_venue_and_the_position() -> None:
    account = opened(AccountKind.LIVE)
    long_btc(account)
    saved(account)
    account.book_funding("BTC-USD", D("0.0001"), D(61_000), D("3.05"), START + HOUR, "extended")
    assert account.pending_events == [
        FundingPaid(
            account_id="acc-1",
            market="BTC-USD",
            rate=D("0.0001"),
            mark=D(61_000),
            position_size=D("0.5"),
            payment=D("3.05"),
            venue="extended",
        )
    ]
    assert account.collateral == D("-3.05")
    assert account.positions["BTC-USD"].funding_paid == D("3.05")
    assert account.dirty_positions == {"BTC-USD"}


def test_funding_booked_where_no_position_is_open_moves_only_the_collateral() -> None:
    """The venue may report funding on a market whose position is already gone here."""
    account = saved(opened(AccountKind.LIVE))
    account.book_funding("SOL-USD", D("-0.0002"), D(150), D("-1.25"), START, "extended")
    assert account.pending_events == [
        FundingPaid(
            account_id="acc-1",
            market="SOL-USD",
            rate=D("-0.0002"),
            mark=D(150),
            position_size=ZERO,
            payment=D("-1.25"),
            venue="extended",
        )
    ]
    assert account.collateral == D("1.25")
    assert (account.positions, account.dirty_positions) == ({}, set())
