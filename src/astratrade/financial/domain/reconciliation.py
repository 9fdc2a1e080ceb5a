"""Reconciliation: the proof that the ledger and trading agree (pure).

- The ledger sums to zero (every entry is balanced, so the whole must be).
- Each trading account's ledger balance equals its collateral in trading.
- The transit (profit shares on their way to leaders) is ledger-only, as fee revenue is.
- The house's collateral in trading equals its ledger balance plus fee revenue (trading
  keeps the fees it collects in the house account; the ledger books them as revenue).
Trading may keep a house and an insurance fund per shard; the ledger books them as one
house and one fund, so the shards' are added up before they are compared."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from astratrade.financial.domain.ledger import EXTERNAL, FEE_REVENUE, HOUSE, INSURANCE, TRANSIT
from astratrade.financial.domain.revenue import SUBSCRIPTION_REVENUE
from astratrade.shared.money import ZERO

# Not in trading. The transit holds profit shares debited and not yet credited: trading
# keeps no balance for it (the money is in flight between two shards' writers).
LEDGER_ONLY = frozenset({FEE_REVENUE, EXTERNAL, SUBSCRIPTION_REVENUE, TRANSIT})


@dataclass(frozen=True, slots=True)
class Discrepancy:
    account: str
    ledger: Decimal
    trading: Decimal | None  # None: the ledger total itself, or an account trading lacks

    @property
    def gap(self) -> Decimal:
        return self.ledger - (self.trading or ZERO)


def reconcile(
    ledger: Mapping[str, Decimal], collateral: Mapping[str, Decimal]
) -> list[Discrepancy]:
    """Every disagreement, the ledger total first; empty when all is proven."""
    ledger, collateral = _one_house(ledger), _one_house(collateral)
    found: list[Discrepancy] = []
    total = sum(ledger.values(), ZERO)
    if total != ZERO:
        found.append(Discrepancy("(ledger total)", total, None))
    expected = dict(ledger)
    expected[HOUSE] = ledger.get(HOUSE, ZERO) + ledger.get(FEE_REVENUE, ZERO)
    for account in sorted(set(collateral) | (set(ledger) - LEDGER_ONLY)):
        if account not in collateral:
            if expected.get(account, ZERO) != ZERO:
                found.append(Discrepancy(account, expected[account], None))
            continue
        mine = expected.get(account, ZERO)
        if mine != collateral[account]:
            found.append(Discrepancy(account, mine, collateral[account]))
    return found


def _one_house(balances: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Every shard's house as the house, every shard's insurance fund as the fund."""
    merged: dict[str, Decimal] = {}
    for account, amount in balances.items():
        name = _system_name(account) or account
        merged[name] = merged.get(name, ZERO) + amount
    return merged


def _system_name(account: str) -> str | None:
    for system in (HOUSE, INSURANCE):
        suffix = account.removeprefix(f"{system}-")
        if suffix != account and suffix.isascii() and suffix.isdigit():
            return system
    return None
