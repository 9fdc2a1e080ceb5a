"""How trading's facts become journal entries (pure: payload in, entry out).

Trading keeps each account's collateral; the ledger must prove it. Each fact below moves
money between a trader's account and the platform's own, exactly as trading moved the
collateral, so every trader's ledger balance equals its collateral in trading."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from astratrade.financial.domain.ledger import (
    EXTERNAL,
    FEE_REVENUE,
    HOUSE,
    INSURANCE,
    TRANSIT,
    JournalEntry,
)

Payload = Mapping[str, Any]


def _d(value: Any) -> Decimal:
    return Decimal(str(value))


def deposit(p: Payload) -> dict[str, Decimal]:
    """Money into an account from another (the house's practice grant, the insurance seed,
    tournament capital)."""
    return {p["account_id"]: _d(p["amount"]), p["source"]: -_d(p["amount"])}


def withdrawal(p: Payload) -> dict[str, Decimal]:
    """Money out of an account: back to the house (practice) or off the platform (live)."""
    return {p["account_id"]: -_d(p["amount"]), p["destination"]: _d(p["amount"])}


def fill(p: Payload) -> dict[str, Decimal]:
    """Realized P&L against the house (the practice counterparty); the fee to revenue. A
    live venue's fill (`venue` set): both against the outside world, since the venue was
    the counterparty and took the fee."""
    realized, fee = _d(p["realized_pnl"]), _d(p["fee"])
    if p.get("venue"):
        return {p["account_id"]: realized - fee, EXTERNAL: fee - realized}
    return {p["account_id"]: realized - fee, HOUSE: -realized, FEE_REVENUE: fee}


def funding(p: Payload) -> dict[str, Decimal]:
    """payment > 0: the account paid the house; < 0: it received. A live venue's funding
    (`venue` set): against the outside world, which was the other side."""
    payment = _d(p["payment"])
    return {p["account_id"]: -payment, EXTERNAL if p.get("venue") else HOUSE: payment}


def liquidation(p: Payload) -> dict[str, Decimal]:
    fee = _d(p["liquidation_fee"])
    return {p["account_id"]: -fee, INSURANCE: fee}


def shortfall(p: Payload) -> dict[str, Decimal]:
    """Negative-balance protection: the fund (then the house) zeroes the account."""
    return {
        p["account_id"]: _d(p["amount"]),
        INSURANCE: -_d(p["from_insurance"]),
        HOUSE: -_d(p["from_house"]),
    }


def profit_share(p: Payload) -> dict[str, Decimal]:
    """A copy account's profit share, out into transit until the leader's account takes it
    (a CollateralDeposited whose source is the transit)."""
    return {p["copy_account_id"]: -_d(p["amount"]), TRANSIT: _d(p["amount"])}


RULES: dict[str, Callable[[Payload], dict[str, Decimal]]] = {
    "CollateralDeposited": deposit,
    "CollateralWithdrawn": withdrawal,
    "OrderFilled": fill,
    "FundingPaid": funding,
    "AccountLiquidated": liquidation,
    "ShortfallCovered": shortfall,
    "ProfitShareDebited": profit_share,
}
KINDS = {
    "CollateralDeposited": "deposit",
    "CollateralWithdrawn": "withdrawal",
    "OrderFilled": "trade",
    "FundingPaid": "funding",
    "AccountLiquidated": "liquidation_fee",
    "ShortfallCovered": "insurance_payout",
    "ProfitShareDebited": "profit_share",
}


def entry_for(event_type: str, event_id: str, at: datetime, payload: Payload) -> JournalEntry:
    # A deposit or a copy's transfer is booked by its reason (grant, faucet, copy_allocation).
    reasoned = event_type == "CollateralDeposited" or (
        event_type == "CollateralWithdrawn" and payload.get("reason") != "withdrawal"
    )
    kind = payload.get("reason") if reasoned else KINDS[event_type]
    return JournalEntry.of(event_id, str(kind), at, RULES[event_type](payload))
