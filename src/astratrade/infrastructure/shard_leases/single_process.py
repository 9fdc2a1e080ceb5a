"""Embedded mode's leases: one process, so it holds every shard, for good."""

from __future__ import annotations

from sqlalchemy import Connection

from astratrade.infrastructure.shard_leases.placement import Placement, Replica, everywhere
from astratrade.infrastructure.shard_leases.port import (
    OnAcquired,
    OnLost,
    ignore_acquired,
    ignore_lost,
)

# The only acquisition there ever is.
TOKEN = 1


class SingleProcessLeases:
    """Every shard with token 1 from start() to stop(); fences pass.

    SQLite has one writer at a time anyway, and embedded mode runs one process: there is
    nobody to fence off."""

    def __init__(
        self,
        shards: int,
        *,
        on_acquired: OnAcquired = ignore_acquired,
        on_lost: OnLost = ignore_lost,
        address: str | None = None,
    ) -> None:
        self._shards = shards
        self._me = Replica("this process", address)
        self._on_acquired = on_acquired
        self._on_lost = on_lost
        self._held: dict[int, int] = {}

    async def start(self) -> None:
        for shard in range(self._shards):
            self._held[shard] = TOKEN
            self._on_acquired(shard, TOKEN)

    async def stop(self) -> None:
        for shard in list(self._held):
            del self._held[shard]
            self._on_lost(shard)

    def held(self) -> dict[int, int]:
        return dict(self._held)

    def fence(self, conn: Connection, shard: int, token: int) -> None:
        """Nothing to check: no other process writes."""

    async def placement(self) -> Placement:
        return everywhere(self._shards, self._me)
