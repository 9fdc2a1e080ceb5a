"""Edges of mirroring the live venue's payments on a live account: a funding payment booked
with everything the venue said about it, and each deposit or withdrawal named by the
venue's operation, so that it is mirrored once and the ledger can tell which it was."""

from __future__ import annotations

from decimal import Decimal as D

from fakes import START, FakeTradingUnitOfWork, Trading

from astratrade.trading import handlers
from astratrade.trading.domain.account import Account
from astratrade.trading.domain.account_terms import AccountKind
from astratrade.trading.domain.commands import RecordVenueReports
from astratrade.trading.domain.events import CollateralDeposited, CollateralWithdrawn, FundingPaid
from astratrade.trading.domain.orders import Side
from astratrade.trading.domain.venue_link import VENUE
from astratrade.trading.domain.venue_mirroring import mirror_venue_transfer, pay_venue_funding
from astratrade.trading.domain.venue_reports import (
    OUTSIDE,
    VenueFill,
    VenueFunding,
    VenueTransfer,
)


def live(account_id: str) -> Account:
    """A live account, empty, as linking one opens it."""
    return Account.open(
        account_id,
        owner_id="u1",
        kind=AccountKind.LIVE,
        currency="USDC",
        default_leverage=D(5),
        at=START,
    )


def live_account(trading: Trading) -> str:
    account = live("live-1")

    async def add(uow: FakeTradingUnitOfWork) -> None:
        uow.accounts.add(account)
        await uow.commit()

    trading.call(add)
    return account.id


def reported(trading: Trading, command: RecordVenueReports) -> None:
    trading.call(lambda uow: handlers.record_venue_reports(command, uow, trading.now))


def long_on_the_venue(trading: Trading) -> str:
    """A live account funded with 5,000 USDC on the venue, long 0.1 BTC there."""
    account_id = live_account(trading)
    deposit = VenueTransfer("d0", D(5000), START)
    bought = VenueFill(
        trade_id=1,
        external_id=None,
        market="BTC-USD",
        side=Side.BUY,
        size=D("0.1"),
        price=D(60_000),
        fee=D(3),
        is_taker=True,
        at=START,
    )
    reported(trading, RecordVenueReports(account_id=account_id, transfers=(deposit,)))
    reported(trading, RecordVenueReports(account_id=account_id, fills=(bought,)))
    return account_id


def test_a_venue_funding_payment_is_booked_on_its_position_as_the_venue_reported_it(
    trading: Trading,
) -> None:
    account_id = long_on_the_venue(trading)
    before = trading.account(account_id).collateral
    paid = VenueFunding(7, "BTC-USD", D("0.61"), D("0.0001"), D("61000.5"), START)
    reported(trading, RecordVenueReports(account_id=account_id, funding=(paid, paid)))
    account = trading.account(account_id)
    assert account.collateral == before - D("0.61")
    assert account.positions["BTC-USD"].funding_paid == D("0.61")
    (booked,) = trading.store.events(FundingPaid)
    assert booked == FundingPaid(
        account_id=account_id,
        market="BTC-USD",
        rate=D("0.0001"),
        mark=D("61000.5"),
        position_size=D("0.1"),
        payment=D("0.61"),
        venue="extended",
    )
    assert trading.store.venue_payments >= {"x10-funding-7"}


def test_pay_venue_funding_names_the_venue_it_is_given_and_keeps_the_payment() -> None:
    account = live("live-2")
    received = VenueFunding(8, "ETH-USD", D("-1.25"), D("-0.0002"), D("3000"), START)
    pay_venue_funding(account, received, VENUE)
    (booked,) = [e for e in account.pending_events if isinstance(e, FundingPaid)]
    assert (booked.market, booked.rate, booked.mark, booked.payment, booked.venue) == (
        "ETH-USD",
        D("-0.0002"),
        D("3000"),
        D("-1.25"),
        VENUE,
    )
    assert account.collateral == D("1.25")
    assert account.new_venue_payments == [received]


def test_deposits_and_withdrawals_carry_the_venue_operation_they_mirror(
    trading: Trading,
) -> None:
    account_id = live_account(trading)
    moves = (
        VenueTransfer("d1", D("1000"), START),
        VenueTransfer("w1", D("-250.5"), START),
    )
    reported(trading, RecordVenueReports(account_id=account_id, transfers=moves + moves))
    moved = [
        e
        for e in trading.store.committed
        if isinstance(e, CollateralDeposited | CollateralWithdrawn) and e.account_id == account_id
    ]
    assert moved == [
        CollateralDeposited(
            account_id=account_id,
            amount=D(1000),
            source=OUTSIDE,
            reason="venue_deposit",
            transfer_id="x10-transfer-d1",
        ),
        CollateralWithdrawn(
            account_id=account_id,
            amount=D("250.5"),
            destination=OUTSIDE,
            reason="venue_withdrawal",
            transfer_id="x10-transfer-w1",
        ),
    ]
    assert trading.account(account_id).collateral == D("749.5")


def test_an_operation_that_nets_to_nothing_moves_and_books_nothing() -> None:
    """The venue reports a transfer net of its fee. One whose fee took all of it brought
    nothing in and took nothing out: it is kept (so it is mirrored once), moves nothing,
    and books neither a deposit nor a withdrawal of 0."""
    account = live("live-3")
    opened = list(account.pending_events)
    nothing = VenueTransfer("d2", D("0"), START)
    mirror_venue_transfer(account, nothing)
    assert account.collateral == 0
    assert account.new_venue_payments == [nothing]
    assert account.pending_events == opened
