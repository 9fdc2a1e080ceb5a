"""The ledger as the financial context builds it from trading's committed events, kept up
to date step by step, to prove trading's collateral after every step of a state machine."""

from __future__ import annotations

from decimal import Decimal

from astratrade.financial.domain.ledger import Posting, balances
from astratrade.financial.domain.reconciliation import reconcile
from astratrade.financial.domain.trading_facts import RULES, entry_for
from astratrade.shared.messages import Envelope
from astratrade.trading.domain.account import Account


class LedgerOfEvents:
    def __init__(self) -> None:
        self.postings: list[Posting] = []
        self.posted = 0  # trading's envelopes already turned into entries

    def prove(self, envelopes: list[Envelope], accounts: list[Account]) -> dict[str, Decimal]:
        """Post the envelopes not posted yet; assert the ledger sums to zero and proves
        every account's collateral; return the balances."""
        for envelope in envelopes[self.posted :]:
            if envelope.type in RULES:
                entry = entry_for(
                    envelope.type, envelope.event_id, envelope.occurred_at, envelope.payload
                )
                self.postings += entry.postings
        self.posted = len(envelopes)
        ledger = balances(self.postings)
        assert sum(ledger.values()) == 0
        assert reconcile(ledger, {a.id: a.collateral for a in accounts}) == []
        return ledger
