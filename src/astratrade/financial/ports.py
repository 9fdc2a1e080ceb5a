"""What financial needs from outside: trading's word on an account's funds, a way to collect
payments, and places to keep transfers and subscriptions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from astratrade.financial.domain.subscriptions import Charge, Subscription
from astratrade.financial.domain.transfers import Funds, Transfer


@dataclass(frozen=True, slots=True)
class AccountFunds:
    owner_id: str | None
    funds: Funds


class FundsQuery(Protocol):
    """Trading's account now (its committed state), or None if there is none."""

    async def __call__(self, account_id: str) -> AccountFunds | None: ...


class CollateralQuery(Protocol):
    """Every trading account's committed collateral, by account id (trading's word)."""

    async def __call__(self) -> dict[str, Decimal]: ...


class TransferBook(Protocol):
    async def faucet_used(self, account_id: str, day: str) -> bool: ...

    async def record(self, transfer: Transfer, faucet_day: str | None) -> None:
        """Commit the transfer's event (and the day's faucet claim) in one transaction;
        a second claim of the same day raises FaucetUsedToday."""


class PaymentDeclined(Exception):
    """The payment port could not collect a charge."""


class PaymentCollector(Protocol):
    async def collect(self, user_id: str, charge: Charge) -> str:
        """Collect the charge (its id is the idempotency key: collecting it again after a
        crash charges once); return the payment's reference, or raise PaymentDeclined."""
        ...


class SubscriptionStore(Protocol):
    async def get(self, user_id: str) -> Subscription:
        """The trader's subscription; a new one on Free if there is none."""
        ...

    async def due(self, now: datetime) -> list[str]:
        """Traders whose period ended by `now`."""
        ...

    async def save(self, subscription: Subscription) -> None:
        """Its state and events in one transaction; a concurrent change of the same
        subscription fails with a conflict (the audit log's version key)."""
        ...
