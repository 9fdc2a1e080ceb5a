"""What trading decided and has not yet written: the lookups that read the database see it.

With group commit a command may be decided while the batch holding an earlier one is
still being written. Accounts live in memory and are current; a few lookups read rows
instead (an order's account, a client order id, an owner's accounts, a funding paid), and
would miss rows not yet written. They ask here first. Entries leave once durable."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeVar

from astratrade.trading.adapters.changes import Changes
from astratrade.trading.domain.orders import Order

K = TypeVar("K")


class PendingWrites:
    def __init__(self) -> None:
        # Each entry keeps the sequence number of the last batch item that wrote it.
        self._orders: dict[str, tuple[int, Order]] = {}
        self._client_ids: dict[tuple[str, str], tuple[int, Order]] = {}
        self._accounts: dict[str, tuple[int, str, str]] = {}  # id -> (seq, owner, id)
        self._fundings: dict[tuple[str, datetime, int], int] = {}  # (market, at, shard)
        self._fills: dict[str, int] = {}  # fill id -> seq
        self._venue_payments: dict[str, int] = {}  # a live venue's funding id -> seq

    def add(self, seq: int, changes: Changes, orders: Iterable[Order]) -> None:
        for order in orders:
            self._orders[order.id] = (seq, order)
            if order.client_order_id is not None:
                self._client_ids[(order.account_id, order.client_order_id)] = (seq, order)
        for account_id, row in changes.new_accounts.items():
            if row["owner_id"] is not None:
                self._accounts[account_id] = (seq, str(row["owner_id"]), account_id)
        for fill in changes.fills:
            self._fills[str(fill["id"])] = seq
        for paid in changes.venue_payments:
            self._venue_payments[str(paid["id"])] = seq
        for funding in changes.fundings:
            key = (funding["market"], funding["funding_time"], funding["shard"])
            self._fundings[key] = seq

    def durable_through(self, seq: int) -> None:
        """Items up to `seq` are written: the database answers for them from now."""
        _drop_through(self._orders, seq)
        _drop_through(self._client_ids, seq)
        _drop_through(self._accounts, seq)
        for funding in [k for k, written in self._fundings.items() if written <= seq]:
            del self._fundings[funding]
        for fill in [k for k, written in self._fills.items() if written <= seq]:
            del self._fills[fill]
        for paid in [k for k, written in self._venue_payments.items() if written <= seq]:
            del self._venue_payments[paid]

    def clear(self) -> None:
        self._orders.clear()
        self._client_ids.clear()
        self._accounts.clear()
        self._fundings.clear()
        self._fills.clear()
        self._venue_payments.clear()

    def account_of(self, order_id: str) -> str | None:
        entry = self._orders.get(order_id)
        return None if entry is None else entry[1].account_id

    def by_client_id(self, account_id: str, client_order_id: str) -> Order | None:
        entry = self._client_ids.get((account_id, client_order_id))
        return None if entry is None else entry[1]

    def accounts_of(self, owner_id: str) -> list[str]:
        return [account_id for _, owner, account_id in self._accounts.values() if owner == owner_id]

    def has_fill(self, fill_id: str) -> bool:
        return fill_id in self._fills

    def has_venue_payment(self, record_id: str) -> bool:
        return record_id in self._venue_payments

    def funding_paid(self, market: str, at: datetime, shard: int) -> bool:
        return (market, at, shard) in self._fundings


def _drop_through(index: dict[K, Any], seq: int) -> None:
    for key in [k for k, entry in index.items() if entry[0] <= seq]:
        del index[key]
