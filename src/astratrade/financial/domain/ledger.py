"""The double-entry ledger's core: balanced journal entries of postings, pure values.

Every money movement is one JournalEntry whose postings sum to zero. Ledger accounts are
each trading account by its id, and the platform's own: the house (the practice venue's
counterparty), the insurance fund, fee revenue, external (money entering or leaving the
platform) and transit (money between two trading accounts on its way). Amounts are
rounded to 6 places, half-even, here and nowhere else."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from astratrade.shared.money import ZERO, money

HOUSE = "system-house"
INSURANCE = "system-insurance"
FEE_REVENUE = "fee-revenue"
EXTERNAL = "external"
# Money between two trading accounts while it moves: a copy's allocation and return pass
# through it within one fact pair; a profit share rests in it from the copy account's
# debit until the leader's account is credited (another shard's writer, later).
TRANSIT = "copy-transit"


class Unbalanced(ValueError):
    """Postings that do not sum to zero: never written."""


@dataclass(frozen=True, slots=True)
class Posting:
    account: str
    amount: Decimal  # + money into the account, - money out of it


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One money movement. `entry_id` is the id of the fact behind it, so an entry is
    written once however often the fact is delivered."""

    entry_id: str
    kind: str
    at: datetime
    postings: tuple[Posting, ...]

    @classmethod
    def of(
        cls, entry_id: str, kind: str, at: datetime, moves: Mapping[str, Decimal]
    ) -> JournalEntry:
        """Round each account's move once, drop zeros, and refuse an unbalanced entry."""
        postings = tuple(
            Posting(account, money(amount)) for account, amount in moves.items() if money(amount)
        )
        total = sum((p.amount for p in postings), ZERO)
        if total != ZERO:
            raise Unbalanced(f"{kind} {entry_id} is off by {total}: {postings}")
        return cls(entry_id, kind, at, postings)


def balances(postings: Iterable[Posting]) -> dict[str, Decimal]:
    """Each account's balance: the sum of its postings."""
    totals: dict[str, Decimal] = {}
    for posting in postings:
        totals[posting.account] = totals.get(posting.account, ZERO) + posting.amount
    return totals


def merge(*moves: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Several legs of one movement, summed per account."""
    total: dict[str, Decimal] = {}
    for legs in moves:
        for account, amount in legs.items():
            total[account] = total.get(account, ZERO) + amount
    return total
