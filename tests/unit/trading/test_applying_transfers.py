"""Financial's transfers applied by trading: a faucet top-up from the house, a withdrawal
of at most what margin leaves available now, refused (and nothing moved) otherwise."""

from __future__ import annotations

from decimal import Decimal as D

from fakes import HOUSE_ID, Trading
from hypothesis import given, settings
from hypothesis import strategies as st

from astratrade.trading import handlers
from astratrade.trading.domain.commands import ApplyTransfer, OpenTournamentAccount
from astratrade.trading.domain.events import (
    CollateralDeposited,
    CollateralWithdrawn,
    TransferRefused,
)


def apply(
    trading: Trading, account_id: str, kind: str, amount: D, transfer_id: str = "t-1"
) -> None:
    cmd = ApplyTransfer(transfer_id=transfer_id, account_id=account_id, kind=kind, amount=amount)
    trading.call(lambda uow: handlers.apply_transfer(cmd, uow, trading.venue, trading.now))


def test_a_faucet_top_up_comes_from_the_house(trading: Trading) -> None:
    a, total = trading.open(), trading.total_collateral()
    apply(trading, a, "faucet", D(5000))
    assert trading.account(a).collateral == D(15000)
    (deposit,) = trading.store.events(CollateralDeposited)[-1:]
    assert (deposit.source, deposit.reason, deposit.transfer_id) == (HOUSE_ID, "faucet", "t-1")
    assert trading.total_collateral() == total


def test_a_practice_withdrawal_goes_back_to_the_house(trading: Trading) -> None:
    a, total = trading.open(), trading.total_collateral()
    apply(trading, a, "withdrawal", D("2500.5"))
    assert trading.account(a).collateral == D("7499.5")
    (out,) = trading.store.events(CollateralWithdrawn)
    assert (out.destination, out.amount, out.transfer_id) == (HOUSE_ID, D("2500.5"), "t-1")
    assert trading.total_collateral() == total


def test_a_withdrawal_above_what_margin_leaves_is_refused_and_moves_nothing(
    trading: Trading,
) -> None:
    a = trading.open()
    trading.place(a, "ETH-USD", "buy", "10")  # margin now holds part of the collateral
    available = trading.account(a).margin(trading.venue.marks, trading.venue.markets).available
    assert 0 < available < trading.account(a).collateral
    before = trading.account(a).collateral
    apply(trading, a, "withdrawal", available + D(1))
    assert trading.account(a).collateral == before
    (refused,) = trading.store.events(TransferRefused)
    assert refused.transfer_id == "t-1"
    assert "available" in refused.reason
    assert trading.store.events(CollateralWithdrawn) == []


def test_a_tournament_account_takes_neither(trading: Trading) -> None:
    opens = trading.now
    cmd = OpenTournamentAccount(
        owner_id="trader-1",
        account_id="tour-1",
        starting_capital=D(5000),
        markets=("BTC-USD",),
        opens_at=opens,
        closes_at=opens,
    )
    trading.call(lambda uow: handlers.open_tournament_account(cmd, uow, trading.venue, trading.now))
    apply(trading, "tour-1", "withdrawal", D(1), "t-1")
    apply(trading, "tour-1", "faucet", D(1), "t-2")
    assert trading.account("tour-1").collateral == D(5000)
    assert [r.transfer_id for r in trading.store.events(TransferRefused)] == ["t-1", "t-2"]


@settings(max_examples=60, deadline=None)
@given(
    moves=st.lists(
        st.tuples(
            st.sampled_from(["faucet", "withdrawal"]),
            st.decimals(min_value=D("0.000001"), max_value=D(20_000), places=6),
        ),
        max_size=8,
    )
)
def test_transfers_conserve_money_and_never_leave_a_negative_balance(
    moves: list[tuple[str, D]],
) -> None:
    trading = Trading()
    a, total = trading.open(), trading.total_collateral()
    for n, (kind, amount) in enumerate(moves):
        apply(trading, a, kind, amount, f"t-{n}")
        assert trading.account(a).collateral >= 0
    assert trading.total_collateral() == total  # practice money only changes hands
