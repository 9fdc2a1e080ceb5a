"""Copies conserve money: funding, copy fills, price moves, profit shares debited and later
credited, flattening and the return. After every step the sum of all accounts' collateral
plus the profit shares in transit is what it was, the ledger built from trading's events
sums to zero, proves every account and holds exactly the in-transit amount in its transit;
a copy account never goes below zero. And the floor triggers exactly at equity <= floor."""

from __future__ import annotations

from decimal import Decimal

from copy_desk import CopyDesk
from fakes import Trading
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from ledger_check import LedgerOfEvents

from astratrade.financial.domain.ledger import TRANSIT
from astratrade.shared.money import ZERO
from astratrade.trading.domain.account_terms import CopyState
from astratrade.trading.domain.events import CopyStopLossReached

D = Decimal
MARKETS = {"BTC-USD": (D(60_000), D("0.001")), "ETH-USD": (D(3_000), D("0.01"))}
markets = st.sampled_from(sorted(MARKETS))
shares = st.decimals(min_value=D("0.01"), max_value=D(2_000), places=2)


class CopiesConserveMoney(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.trading = Trading()
        self.desk = CopyDesk(self.trading)
        self.total = self.trading.total_collateral()
        self.ledger = LedgerOfEvents()
        self.decisions = 0

    @precondition(lambda self: self.desk.copy_account not in self.trading.store.accounts)
    @rule(allocation=st.decimals(min_value=D(100), max_value=D(12_000), places=2))
    def start(self, allocation: D) -> None:
        self.desk.start(allocation, "0.5")

    @rule(market=markets, buy=st.booleans(), steps=st.integers(1, 200), reduce=st.booleans())
    def copy_fill(self, market: str, buy: bool, steps: int, reduce: bool) -> None:
        self.decisions += 1
        size = MARKETS[market][1] * steps
        side = "buy" if buy else "sell"
        self.desk.copy_fill(
            market, side, size, reduce_only=reduce, decision_id=f"d-{self.decisions}"
        )

    @rule(market=markets, move=st.decimals(min_value=D("0.8"), max_value=D("1.2"), places=3))
    def price(self, market: str, move: D) -> None:
        self.trading.move(market, MARKETS[market][0] * move)

    @rule(amount=shares)
    def weekly_share(self, amount: D) -> None:
        self.desk.charge(amount)

    @rule()
    def credit(self) -> None:
        self.desk.credit_debited()

    @rule()
    def stopping(self) -> None:
        self.desk.stopping()

    @rule(amount=st.one_of(st.just(ZERO), shares))
    def close(self, amount: D) -> None:
        self.desk.close(profit_share=amount)

    @invariant()
    def money_is_conserved_with_what_is_in_transit(self) -> None:
        assert self.trading.total_collateral() + self.desk.in_transit() == self.total

    @invariant()
    def the_ledger_proves_every_account_and_the_transit(self) -> None:
        store = self.trading.store
        ledger = self.ledger.prove(store.envelopes, list(store.accounts.values()))
        assert ledger.get(TRANSIT, ZERO) == self.desk.in_transit()

    @invariant()
    def a_copy_account_never_goes_below_zero(self) -> None:
        account = self.trading.store.accounts.get(self.desk.copy_account)
        if account is not None:
            assert account.collateral >= 0
            if account.copy is not None and account.copy.state is CopyState.CLOSED:
                assert account.collateral == 0
                assert not account.positions


CopiesConserveMoney.TestCase.settings = settings(
    max_examples=50,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestCopiesConserveMoney = CopiesConserveMoney.TestCase


@settings(max_examples=80, deadline=None)
@given(
    max_loss=st.decimals(min_value=D("0.1"), max_value=D("0.9"), places=2),
    steps=st.integers(1, 40),
    buy=st.booleans(),
    move=st.decimals(min_value=D("0.85"), max_value=D("1.15"), places=4),
)
def test_the_floor_triggers_exactly_at_equity_at_or_below_it(
    max_loss: D, steps: int, buy: bool, move: D
) -> None:
    trading = Trading()
    desk = CopyDesk(trading)
    desk.start("1000", max_loss)
    desk.copy_fill("BTC-USD", "buy" if buy else "sell", D("0.001") * steps, leverage="10")
    account = desk.account
    mark = (D(60_000) * move).quantize(D(1))
    marks = {**trading.venue.marks, "BTC-USD": mark}
    equity = account.margin(marks, trading.venue.markets).equity
    assert account.copy is not None
    floor = account.copy.floor
    trading.move("BTC-USD", mark)
    reached = trading.store.events(CopyStopLossReached)
    assert bool(reached) == (equity <= floor)
    if reached:
        assert reached[0].equity == equity.quantize(D("0.000001"))
        assert desk.account.positions == {}
