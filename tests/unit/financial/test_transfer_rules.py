"""Faucet and withdrawal rules (pure), and the request handler over in-memory fakes behind
the same ports as the SQL book and trading's funds."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from astratrade.financial.domain.commands import RequestTransfer
from astratrade.financial.domain.ledger import EXTERNAL, HOUSE, balances
from astratrade.financial.domain.trading_facts import entry_for
from astratrade.financial.domain.transfers import (
    FAUCET_CAP,
    FaucetAtCap,
    FaucetUsedToday,
    Funds,
    InsufficientAvailable,
    Transfer,
    TransferKind,
    faucet_amount,
    withdrawal_amount,
)
from astratrade.financial.handlers import transfers as handlers
from astratrade.financial.ports import AccountFunds
from astratrade.shared.errors import Forbidden, NotFound, ValidationFailed

AT = datetime(2026, 12, 1, 23, 59, tzinfo=UTC)
money = st.decimals(min_value=D("0.000001"), max_value=D(10**9), places=6)
balance = st.decimals(min_value=0, max_value=D(200_000), places=6)


def practice(collateral: D, available: D | None = None) -> Funds:
    return Funds("practice", collateral, collateral if available is None else available)


@given(requested=money, collateral=balance)
def test_the_faucet_never_tops_past_the_cap_nor_gives_more_than_asked(
    requested: D, collateral: D
) -> None:
    try:
        given_now = faucet_amount(requested, practice(collateral), used_today=False)
    except FaucetAtCap:
        assert collateral >= FAUCET_CAP
        return
    assert 0 < given_now <= requested
    assert collateral + given_now <= FAUCET_CAP
    assert given_now == requested or collateral + given_now == FAUCET_CAP


@given(requested=money, available=st.decimals(min_value=-1000, max_value=10**6, places=6))
def test_a_withdrawal_never_takes_more_than_available(requested: D, available: D) -> None:
    funds = Funds("practice", max(available, D(0)) + 500, available)
    try:
        taken = withdrawal_amount(requested, funds)
    except InsufficientAvailable:
        assert requested > available
        return
    assert taken == requested <= available


@pytest.mark.parametrize("amount", [D(0), D(-5), D("0.0000001")])
def test_amounts_must_be_positive_with_at_most_six_places(amount: D) -> None:
    for rule in (
        lambda: faucet_amount(amount, practice(D(0)), used_today=False),
        lambda: withdrawal_amount(amount, practice(D(100))),
    ):
        with pytest.raises(ValidationFailed) as raised:
            rule()
        assert raised.value.field == "amount"


def test_the_faucet_is_for_practice_accounts_once_a_day() -> None:
    with pytest.raises(FaucetUsedToday):
        faucet_amount(D(1), practice(D(0)), used_today=True)
    with pytest.raises(Forbidden):
        faucet_amount(D(1), Funds("live", D(0), D(0)), used_today=False)
    with pytest.raises(Forbidden):
        withdrawal_amount(D(1), Funds("tournament", D(10), D(10)))
    with pytest.raises(Forbidden, match="goes back to its source"):
        withdrawal_amount(D(1), Funds("copy", D(10), D(10)))
    with pytest.raises(Forbidden):
        faucet_amount(D(1), Funds("copy", D(0), D(0)), used_today=False)


@given(amount=money)
def test_a_withdrawal_is_a_balanced_entry_out_of_the_account(amount: D) -> None:
    for destination in (HOUSE, EXTERNAL):
        entry = entry_for(
            "CollateralWithdrawn",
            "e-1",
            AT,
            {
                "account_id": "a",
                "amount": str(amount),
                "destination": destination,
                "reason": "withdrawal",
                "transfer_id": "t-1",
            },
        )
        assert balances(entry.postings) == {"a": -amount, destination: amount}
        assert entry.kind == "withdrawal"


class FakeBook:
    def __init__(self) -> None:
        self.claims: set[tuple[str, str]] = set()
        self.recorded: list[Transfer] = []

    async def faucet_used(self, account_id: str, day: str) -> bool:
        return (account_id, day) in self.claims

    async def record(self, transfer: Transfer, faucet_day: str | None) -> None:
        if faucet_day is not None:
            if (transfer.account_id, faucet_day) in self.claims:
                raise FaucetUsedToday("claimed")
            self.claims.add((transfer.account_id, faucet_day))
        self.recorded.append(transfer)


def request(
    book: FakeBook,
    kind: TransferKind,
    amount: str,
    owner: str = "ann",
    collateral: D = D(10_000),
    at: datetime = AT,
) -> Transfer:
    async def funds_of(account_id: str) -> AccountFunds | None:
        return AccountFunds("ann", practice(collateral)) if account_id == "acct" else None

    cmd = RequestTransfer(owner_id=owner, account_id="acct", kind=kind, amount=D(amount))
    return asyncio.run(
        handlers.request_transfer(cmd, book, funds_of, f"t-{len(book.recorded)}", at)
    )


def test_a_faucet_request_records_the_amount_cut_to_the_cap_and_the_days_claim() -> None:
    book = FakeBook()
    transfer = request(book, TransferKind.FAUCET, "250000")
    assert (transfer.amount, transfer.requested) == (D(90_000), D(250_000))
    assert book.claims == {("acct", "2026-12-01")}
    (event,) = transfer.pending_events
    assert (event.type_name(), event.payload()["amount"]) == ("TransferRequested", "90000")
    with pytest.raises(FaucetUsedToday):
        request(book, TransferKind.FAUCET, "1")
    next_day = request(book, TransferKind.FAUCET, "1", at=datetime(2026, 12, 2, tzinfo=UTC))
    assert next_day.amount == D(1)


def test_another_traders_account_is_not_found_and_nothing_is_recorded() -> None:
    book = FakeBook()
    with pytest.raises(NotFound):
        request(book, TransferKind.WITHDRAWAL, "10", owner="bob")
    assert book.recorded == []
    with pytest.raises(InsufficientAvailable):
        request(book, TransferKind.WITHDRAWAL, "10000.01")
    assert book.recorded == []
