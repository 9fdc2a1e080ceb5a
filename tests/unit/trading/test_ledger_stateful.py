"""A Hypothesis state machine over trading and the ledger together: random sequences of
trades at random prices, funding hours, liquidations, faucet top-ups, withdrawals and
subscription changes. After every step the ledger, built from trading's committed events
and the subscription charges exactly as the financial context builds it, sums to zero and
proves every account's collateral; no trader's balance is ever below zero."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from decimal import Decimal
from itertools import count

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from ledger_check import LedgerOfEvents
from test_money_properties import TRADERS, Session, operations

from astratrade.financial.domain.ledger import JournalEntry
from astratrade.financial.domain.revenue import charge_moves
from astratrade.financial.domain.subscriptions import Plan, SameSubscription, Subscription
from astratrade.financial.domain.transfers import Funds, faucet_amount, withdrawal_amount
from astratrade.shared.errors import DomainError
from astratrade.trading import handlers
from astratrade.trading.domain.commands import ApplyTransfer

D = Decimal
traders = st.integers(0, TRADERS - 1)
amounts = st.decimals(min_value=D("0.01"), max_value=D(150_000), places=2)


class LedgerAndTrading(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.session = Session(seed=2_000)  # a small fund: shortfalls reach the house too
        self.ledger = LedgerOfEvents()
        self.faucet_used: set[str] = set()  # this UTC day's
        self.subscriptions: dict[int, Subscription] = {}
        self.ids = (f"id-{n}" for n in count())
        self.days = 0

    @property
    def trading(self):  # type: ignore[no-untyped-def]
        return self.session.trading

    @rule(op=operations)
    def trade(self, op: tuple[object, ...]) -> None:
        """Orders, price moves (liquidations among them), funding hours, closes."""
        self.session.play(op)

    @rule(trader=traders, amount=amounts)
    def faucet(self, trader: int, amount: D) -> None:
        account = self.session.accounts.get(trader)
        if account is None:
            return
        funds = self._funds(account)
        try:
            granted = faucet_amount(amount, funds, used_today=account in self.faucet_used)
        except DomainError:
            return
        self.faucet_used.add(account)
        self._apply(account, "faucet", granted)

    @rule(trader=traders, amount=amounts)
    def withdraw(self, trader: int, amount: D) -> None:
        account = self.session.accounts.get(trader)
        if account is None:
            return
        try:
            taken = withdrawal_amount(amount, self._funds(account))
        except DomainError:
            return
        self._apply(account, "withdrawal", taken)

    @rule()
    def next_day(self) -> None:
        self.days += 1
        self.faucet_used.clear()

    @rule(trader=traders, plan=st.sampled_from(list(Plan)), hours=st.integers(0, 24 * 40))
    def subscription(self, trader: int, plan: Plan, hours: int) -> None:
        sub = self.subscriptions.setdefault(trader, Subscription(f"trader-{trader}"))
        at = self.trading.now + timedelta(days=self.days, hours=hours)
        sub.renew_due(at, lambda: next(self.ids))
        with contextlib.suppress(SameSubscription):
            sub.change(plan, at, next(self.ids))
        for charge in sub.charges:
            moves = charge_moves({"amount": str(charge.amount)})
            self.ledger.postings += JournalEntry.of(
                charge.charge_id, "subscription", at, moves
            ).postings
        sub.charges.clear()

    @invariant()
    def the_ledger_proves_every_account(self) -> None:
        store = self.trading.store
        self.ledger.prove(store.envelopes, list(store.accounts.values()))

    @invariant()
    def no_trader_is_below_zero(self) -> None:
        for account in self.session.traders():
            assert account.collateral >= 0

    def _funds(self, account_id: str) -> Funds:
        account = self.trading.account(account_id)
        margin = account.margin(self.trading.venue.marks, self.trading.venue.markets)
        return Funds(account.kind.value, account.collateral, margin.available)

    def _apply(self, account_id: str, kind: str, amount: D) -> None:
        cmd = ApplyTransfer(
            transfer_id=next(self.ids), account_id=account_id, kind=kind, amount=amount
        )
        trading = self.trading
        trading.call(lambda uow: handlers.apply_transfer(cmd, uow, trading.venue, trading.now))


LedgerAndTrading.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestLedgerAndTrading = LedgerAndTrading.TestCase
