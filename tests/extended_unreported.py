"""Changes on the stand-in's sub-accounts that Extended reports on the account stream only
through their outcome, the sub-account's balance or position, never as a trade, a funding
payment or a deposit: what the platform cannot mirror, and so must report as a gap. For
tests only (never shipped).

- a transfer between sub-accounts (a completed `TRANSFER` asset operation, which the
  platform does not mirror: docs/live-venue.md), then an `ACCOUNT.BALANCE` update;
- a position changed with no trade reported (as a deleverage whose trade the venue failed
  to report would be), then an `ACCOUNT.POSITION` update.

Both built with the SDK's models, as the stand-in's other updates are."""

from __future__ import annotations

import itertools
from decimal import Decimal

from x10.models.asset import AssetOperationModel, AssetOperationStatus, AssetOperationType

from extended_book import Book, Holding, SubAccount, Update, now_ms

_ids = itertools.count(900_001)


def transfer(book: Book, account: SubAccount, amount: Decimal) -> list[Update]:
    """`amount` USDC moved to another sub-account (into this one when negative)."""
    account.balance -= amount
    account.operations.append(
        AssetOperationModel(
            id=str(next(_ids)),
            type=AssetOperationType.TRANSFER,
            status=AssetOperationStatus.COMPLETED,
            amount=-amount,
            fee=Decimal(0),
            asset=1,
            time=now_ms(),
            account_id=account.account_id,
        )
    )
    balance = book.balance(account).model_dump(mode="json", by_alias=True, exclude_none=True)
    return [("ACCOUNT.BALANCE", {"isSnapshot": False, "balance": balance})]


def shift_position(book: Book, account: SubAccount, market: str, size: Decimal) -> list[Update]:
    """The market's position moved by `size` (signed) at its open price, no trade said."""
    holding = account.holdings.setdefault(market, Holding(created_at=now_ms()))
    holding.size += size
    position = book.position(account, market)
    dumped = position.model_dump(mode="json", by_alias=True, exclude_none=True)
    return [("ACCOUNT.POSITION", {"isSnapshot": False, "positions": [dumped]})]
