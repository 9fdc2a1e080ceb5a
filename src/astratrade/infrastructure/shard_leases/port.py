"""What a sharded writer needs from its leases, whoever provides them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from sqlalchemy import Connection

from astratrade.infrastructure.shard_leases.placement import Placement

# Called on the leases' own task, so they must not block: set a flag, schedule a task.
# on_acquired(shard, token) comes after the acquisition committed: load the shard's state
# from the database then, and pass the token to every fence of its writes.
# on_lost(shard): stop writing that shard at once; its state may be changed elsewhere now.
OnAcquired = Callable[[int, int], None]
OnLost = Callable[[int], None]


def ignore_acquired(shard: int, token: int) -> None:
    """The default listener: nothing to do."""


def ignore_lost(shard: int) -> None:
    """The default listener: nothing to do."""


class ShardLeasing(Protocol):
    """The shards this process may write, each with its fencing token."""

    async def start(self) -> None:
        """Take this process's share of the shards and keep it until stop()."""
        ...

    async def stop(self) -> None:
        """Give every shard up (each reported lost first), so others take them at once."""
        ...

    def held(self) -> dict[int, int]:
        """The shards held right now, with their tokens."""
        ...

    def fence(self, conn: Connection, shard: int, token: int) -> None:
        """Inside a write transaction: raise LeaseLost unless `token` is still the shard's
        lease, and hold it so until the transaction ends."""
        ...

    async def placement(self) -> Placement:
        """Every shard's live holder and where it is reached: what routes requests."""
        ...
