"""A copy's money on the ledger: the allocation and the return cross the transit within one
pair of facts, a profit share rests there from the copy's debit to the leader's credit; the
transit is ledger-only in reconciliation, so money in flight is no discrepancy."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from astratrade.financial.domain.ledger import TRANSIT, balances
from astratrade.financial.domain.reconciliation import reconcile
from astratrade.financial.domain.trading_facts import entry_for

AT = datetime(2026, 1, 5, tzinfo=UTC)
money = st.decimals(min_value=D("0.000001"), max_value=D(10**9), places=6)


def moves(*facts: tuple[str, dict[str, object]]) -> dict[str, D]:
    entries = [entry_for(kind, f"e-{n}", AT, payload) for n, (kind, payload) in enumerate(facts)]
    return balances(p for entry in entries for p in entry.postings)


@given(allocation=money, share=money)
def test_a_copy_s_money_balances_through_the_transit(allocation: D, share: D) -> None:
    funded = moves(
        (
            "CollateralWithdrawn",
            {
                "account_id": "src",
                "amount": allocation,
                "destination": TRANSIT,
                "reason": "copy_allocation",
                "transfer_id": "copy-1",
            },
        ),
        (
            "CollateralDeposited",
            {
                "account_id": "copy",
                "amount": allocation,
                "source": TRANSIT,
                "reason": "copy_allocation",
                "transfer_id": "copy-1",
            },
        ),
        (
            "ProfitShareDebited",
            {
                "copy_id": "copy-1",
                "copy_account_id": "copy",
                "leader_account_id": "lead",
                "amount": share,
                "transfer_id": "t",
            },
        ),
    )
    assert funded == {"src": -allocation, "copy": allocation - share, TRANSIT: share}
    assert sum(funded.values()) == 0
    # In flight: trading holds the share nowhere, and reconciliation does not ask it to.
    collateral = {"src": -allocation, "copy": allocation - share, "lead": D(0)}
    assert reconcile(funded, collateral) == []


def test_copy_movements_are_booked_by_their_reason() -> None:
    withdrawn = {
        "account_id": "src",
        "amount": "5",
        "destination": TRANSIT,
        "reason": "copy_return",
        "transfer_id": "copy-1",
    }
    plain = {**withdrawn, "destination": "system-house", "reason": "withdrawal"}
    debited = {
        "copy_id": "c",
        "copy_account_id": "copy",
        "leader_account_id": "lead",
        "amount": "1",
        "transfer_id": "t",
    }
    assert entry_for("CollateralWithdrawn", "a", AT, withdrawn).kind == "copy_return"
    assert entry_for("CollateralWithdrawn", "b", AT, plain).kind == "withdrawal"
    assert entry_for("ProfitShareDebited", "c", AT, debited).kind == "profit_share"
