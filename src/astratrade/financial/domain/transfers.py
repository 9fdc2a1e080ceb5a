"""Money into and out of trading accounts, decided by financial and applied by trading.

Pure rules over immutable values: what a faucet top-up or a withdrawal may move, given the
account's funds as trading reports them. The handler loads, calls and saves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from astratrade.financial.domain.events import TransferRequested
from astratrade.shared.errors import Conflict, Forbidden, ValidationFailed
from astratrade.shared.messages import Aggregate
from astratrade.shared.money import MONEY_PLACES, ZERO, decimal_places

FAUCET_CAP = Decimal(100_000)  # the faucet tops a practice account up to this, no further


class TransferKind(StrEnum):
    FAUCET = "faucet"  # virtual dollars from the house into a practice account
    WITHDRAWAL = "withdrawal"  # out of the account: to the house (practice), external (live)


@dataclass(frozen=True, slots=True)
class Funds:
    """An account's money as trading holds it now (asked, never guessed)."""

    kind: str  # practice, live or tournament
    collateral: Decimal
    available: Decimal  # what margin leaves free: the most a withdrawal may take


class FaucetUsedToday(Conflict):
    code = "faucet_used_today"


class FaucetAtCap(Conflict):
    code = "faucet_at_cap"


class InsufficientAvailable(Conflict):
    code = "insufficient_available"


def _positive(amount: Decimal) -> Decimal:
    if amount <= ZERO:
        raise ValidationFailed("amount", "amount must be greater than 0")
    if decimal_places(amount) > MONEY_PLACES:
        raise ValidationFailed(
            "amount", f"amount {amount} has more than {MONEY_PLACES} decimal places"
        )
    return amount


def faucet_amount(requested: Decimal, funds: Funds, *, used_today: bool) -> Decimal:
    """What the faucet gives: the request, cut to what brings the account to the cap."""
    _positive(requested)
    if funds.kind != "practice":
        raise Forbidden("the faucet tops up practice accounts only")
    if used_today:
        raise FaucetUsedToday(
            "the faucet tops an account up once per UTC day; it opens again at 00:00 UTC"
        )
    room = FAUCET_CAP - funds.collateral
    if room <= ZERO:
        raise FaucetAtCap(
            f"the faucet tops up to {FAUCET_CAP:,}; this account holds {funds.collateral:,}"
        )
    return min(requested, room)


def withdrawal_amount(requested: Decimal, funds: Funds) -> Decimal:
    """A withdrawal takes at most what margin leaves available, never more."""
    _positive(requested)
    if funds.kind == "tournament":
        raise Forbidden("tournament accounts hold their starting capital; nothing leaves them")
    if funds.kind == "copy":
        raise Forbidden("a copy account's money goes back to its source when the copy stops")
    if requested > funds.available:
        raise InsufficientAvailable(
            f"at most {max(funds.available, ZERO)} is available to withdraw now"
        )
    return requested


class Transfer(Aggregate):
    aggregate_type = "financial_transfer"
    account_id: str
    kind: TransferKind
    amount: Decimal  # what moves
    requested: Decimal  # what the trader asked

    @classmethod
    def request(
        cls,
        transfer_id: str,
        account_id: str,
        owner_id: str,
        kind: TransferKind,
        amount: Decimal,
        requested: Decimal,
    ) -> Transfer:
        transfer = cls(transfer_id)
        transfer.account_id, transfer.kind = account_id, kind
        transfer.amount, transfer.requested = amount, requested
        transfer.record(
            TransferRequested(
                transfer_id=transfer_id,
                account_id=account_id,
                owner_id=owner_id,
                kind=kind.value,
                amount=amount,
                requested=requested,
            )
        )
        return transfer


def utc_day(at: datetime) -> str:
    return at.date().isoformat()
