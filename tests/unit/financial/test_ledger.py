"""The ledger core: balanced entries rounded in one place, trading's facts as postings,
and reconciliation against trading's collateral."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from astratrade.financial.domain.ledger import (
    FEE_REVENUE,
    HOUSE,
    INSURANCE,
    JournalEntry,
    Unbalanced,
    balances,
)
from astratrade.financial.domain.reconciliation import reconcile
from astratrade.financial.domain.trading_facts import entry_for

AT = datetime(2026, 3, 2, tzinfo=UTC)
amounts = st.decimals(min_value=-(10**9), max_value=10**9, places=6, allow_nan=False)


def test_an_unbalanced_entry_is_refused() -> None:
    with pytest.raises(Unbalanced):
        JournalEntry.of("e-1", "deposit", AT, {"a": D(10), HOUSE: D(-9)})


def test_amounts_round_half_even_to_six_places_and_zeros_drop() -> None:
    entry = JournalEntry.of(
        "e-1", "trade", AT, {"a": D("0.0000005"), HOUSE: D("-0.0000005"), FEE_REVENUE: D(0)}
    )
    assert entry.postings == ()


@given(
    realized=amounts,
    fee=st.decimals(min_value=0, max_value=10**6, places=6),
    payment=amounts,
    liquidation_fee=st.decimals(min_value=0, max_value=10**6, places=6),
    cover=st.decimals(min_value=0, max_value=10**6, places=6),
    from_insurance=st.decimals(min_value=0, max_value=10**6, places=6),
)
def test_every_trading_fact_is_a_balanced_entry_and_moves_collateral_as_trading_does(
    realized: D, fee: D, payment: D, liquidation_fee: D, cover: D, from_insurance: D
) -> None:
    from_insurance = min(from_insurance, cover)
    facts = [
        (
            "CollateralDeposited",
            {"account_id": "a", "amount": "10000", "source": HOUSE, "reason": "practice_grant"},
        ),
        ("OrderFilled", {"account_id": "a", "realized_pnl": str(realized), "fee": str(fee)}),
        ("FundingPaid", {"account_id": "a", "payment": str(payment)}),
        ("AccountLiquidated", {"account_id": "a", "liquidation_fee": str(liquidation_fee)}),
        (
            "ShortfallCovered",
            {
                "account_id": "a",
                "amount": str(cover),
                "from_insurance": str(from_insurance),
                "from_house": str(cover - from_insurance),
            },
        ),
    ]
    entries = [entry_for(kind, f"e-{i}", AT, p) for i, (kind, p) in enumerate(facts)]
    ledger = balances(p for e in entries for p in e.postings)
    assert sum(ledger.values()) == 0
    collateral = D(10000) + realized - fee - payment - liquidation_fee + cover
    assert ledger.get("a", D(0)) == collateral
    house = -D(10000) - realized + payment - (cover - from_insurance) + fee  # fees stay there
    trading = {"a": collateral, HOUSE: house, INSURANCE: liquidation_fee - from_insurance}
    assert reconcile(ledger, trading) == []


def test_reconciliation_names_every_gap() -> None:
    ledger = {"a": D(100), HOUSE: D(-100)}
    gaps = reconcile(ledger, {"a": D(90), HOUSE: D(-100), "b": D(5)})
    assert [(g.account, g.ledger, g.trading, g.gap) for g in gaps] == [
        ("a", D(100), D(90), D(10)),
        ("b", D(0), D(5), D(-5)),
    ]
    (total,) = reconcile({"a": D(1)}, {"a": D(1)})
    assert total.account == "(ledger total)"


@given(
    houses=st.lists(amounts, min_size=1, max_size=4),
    funds=st.lists(amounts, min_size=1, max_size=4),
    gap=amounts,
)
def test_every_shards_house_and_fund_reconcile_as_one(
    houses: list[D], funds: list[D], gap: D
) -> None:
    """Trading keeps a house and a fund per shard (shard 0's keep the plain names); the
    ledger may book a shard's grants to its own house and fills to the house: only the
    sums must agree."""
    trader = -(sum(houses, D(0)) + sum(funds, D(0)))
    trading = {"a": trader}
    for shard, house in enumerate(houses):
        trading[HOUSE if shard == 0 else f"{HOUSE}-{shard}"] = house
    for shard, fund in enumerate(funds):
        trading[INSURANCE if shard == 0 else f"{INSURANCE}-{shard}"] = fund
    ledger = {"a": trader, HOUSE: sum(houses, D(0)), INSURANCE: sum(funds, D(0))}
    assert reconcile(ledger, trading) == []
    shifted = {**ledger, HOUSE: ledger[HOUSE] + gap, "a": trader - gap}
    assert (reconcile(shifted, trading) == []) == (gap == 0)
