"""Leases on shards: each replica of a sharded writer (trading's accounts) is the only
writer of the shards it holds, and a fencing token stops one that lost its lease.

PostgreSQL gives the leases (row compare-and-set with its own clock, row locks for the
fence): no consensus protocol of ours. `ShardLeases` runs them for a replica
(manager.py), `SingleProcessLeases` stands in for embedded mode on SQLite, both behind
`ShardLeasing` (port.py). docs/operations.md ("Sharded trading") tells the timings."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.infrastructure.shard_leases.manager import (
    DEFAULT_TTL_SECONDS,
    ShardLeases,
    fair_share,
)
from astratrade.infrastructure.shard_leases.placement import Placement, Replica
from astratrade.infrastructure.shard_leases.port import (
    OnAcquired,
    OnLost,
    ShardLeasing,
    ignore_acquired,
    ignore_lost,
)
from astratrade.infrastructure.shard_leases.single_process import SingleProcessLeases
from astratrade.infrastructure.shard_leases.tables import (
    LeaseLost,
    fence,
    shard_leases,
    shard_replicas,
)

__all__ = [
    "DEFAULT_TTL_SECONDS",
    "LeaseLost",
    "OnAcquired",
    "OnLost",
    "Placement",
    "Replica",
    "ShardLeases",
    "ShardLeasing",
    "SingleProcessLeases",
    "fair_share",
    "fence",
    "leases_for",
    "shard_leases",
    "shard_replicas",
]


def leases_for(
    engine: AsyncEngine,
    *,
    scope: str,
    shards: int,
    replica: str,
    ttl_seconds: float = DEFAULT_TTL_SECONDS,
    on_acquired: OnAcquired = ignore_acquired,
    on_lost: OnLost = ignore_lost,
    address: str | None = None,
) -> ShardLeasing:
    """Leases in PostgreSQL, or on SQLite (one process) every shard for good. `address`:
    where other processes reach this replica (published with its heartbeat)."""
    if engine.dialect.name == "sqlite":
        return SingleProcessLeases(
            shards, on_acquired=on_acquired, on_lost=on_lost, address=address
        )
    return ShardLeases(
        engine,
        scope=scope,
        shards=shards,
        replica=replica,
        ttl_seconds=ttl_seconds,
        on_acquired=on_acquired,
        on_lost=on_lost,
        address=address,
    )
