"""A live venue's fill in the ledger: the venue was the counterparty and took the fee, so
the fill moves money between the account and the outside world only (never the house or
fee revenue), balanced; a practice fill is unchanged. Its funding payments likewise."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from astratrade.financial.domain.ledger import EXTERNAL, FEE_REVENUE, HOUSE
from astratrade.financial.domain.trading_facts import fill, funding

amounts = st.decimals(min_value=-100_000, max_value=100_000, places=6)
fees = st.decimals(min_value=0, max_value=1_000, places=6)


@given(amounts, fees)
def test_a_venue_fill_books_against_the_outside_world_balanced(
    realized: Decimal, fee: Decimal
) -> None:
    payload = {"account_id": "live-1", "realized_pnl": str(realized), "fee": str(fee)}
    live = fill(payload | {"venue": "extended"})
    assert live == {"live-1": realized - fee, EXTERNAL: fee - realized}
    assert sum(live.values()) == 0
    practice = fill(payload)
    assert set(practice) == {"live-1", HOUSE, FEE_REVENUE}
    assert sum(practice.values()) == 0


@given(amounts)
def test_a_venue_funding_payment_books_against_the_outside_world_balanced(
    payment: Decimal,
) -> None:
    payload = {"account_id": "live-1", "payment": str(payment)}
    live = funding(payload | {"venue": "extended"})
    assert live == {"live-1": -payment, EXTERNAL: payment}
    assert sum(live.values()) == 0
    assert funding(payload) == {"live-1": -payment, HOUSE: payment}
