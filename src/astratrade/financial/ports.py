"""What financial needs from outside: trading's word on an account's funds, and a place to
record transfers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from astratrade.financial.domain.transfers import Funds, Transfer


@dataclass(frozen=True, slots=True)
class AccountFunds:
    owner_id: str | None
    funds: Funds


class FundsQuery(Protocol):
    """Trading's account now (its single writer answers), or None if there is none."""

    async def __call__(self, account_id: str) -> AccountFunds | None: ...


class TransferBook(Protocol):
    async def faucet_used(self, account_id: str, day: str) -> bool: ...

    async def record(self, transfer: Transfer, faucet_day: str | None) -> None:
        """Commit the transfer's event (and the day's faucet claim) in one transaction;
        a second claim of the same day raises FaucetUsedToday."""
