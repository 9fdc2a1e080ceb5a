"""Trading's accounts in shards: each shard has one writer and system accounts of its own.

An account's shard follows from its id by a stable hash (the same in every process and
every run), so whoever holds a shard knows which accounts it writes. Every fill has the
house on its other side and every liquidation may draw on the insurance fund: were those
shared, two writers would overwrite each other's balance. So each shard has its own house
and insurance fund; shard 0's keep the names they had before shards existed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from astratrade.shared.shards import shard_of

HOUSE_ID = "system-house"
INSURANCE_ID = "system-insurance"
MAX_SHARDS = 256


@dataclass(frozen=True, slots=True)
class Shards:
    count: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.count <= MAX_SHARDS:
            raise ValueError(f"shards must be 1..{MAX_SHARDS}, was {self.count}")

    def of(self, account_id: str) -> int:
        """The shard writing this account (a system account names its own)."""
        system = system_shard(account_id)
        if system is not None:
            return system % self.count
        return shard_of(account_id, self.count)

    def owner_shard(self, owner_id: str) -> int:
        """Where a trader's own accounts (practice, live) are opened."""
        return shard_of(owner_id, self.count)

    def new_id(self, ids: Callable[[], str], shard: int) -> str:
        """A fresh account id that falls in `shard` (one try in `count` does)."""
        for _ in range(64 * self.count):
            candidate = ids()
            if self.of(candidate) == shard:
                return candidate
        raise RuntimeError(f"no id for shard {shard} after {64 * self.count} tries")

    def all(self) -> range:
        return range(self.count)


def house_id(shard: int) -> str:
    return HOUSE_ID if shard == 0 else f"{HOUSE_ID}-{shard}"


def insurance_id(shard: int) -> str:
    return INSURANCE_ID if shard == 0 else f"{INSURANCE_ID}-{shard}"


def system_shard(account_id: str) -> int | None:
    """The shard of a house or insurance account, None for any other account."""
    for base in (HOUSE_ID, INSURANCE_ID):
        if account_id == base:
            return 0
        suffix = account_id.removeprefix(f"{base}-")
        if suffix != account_id and suffix.isascii() and suffix.isdigit():
            return int(suffix)
    return None
