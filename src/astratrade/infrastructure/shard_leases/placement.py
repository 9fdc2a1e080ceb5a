"""Where each shard is written now: its live holder and the address other processes reach
that replica at. The replicas answer it (`ShardLeasing.placement()`, over an internal
route); whoever sends a shard's requests (the gateway, another service) routes by it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Replica:
    name: str
    address: str | None  # None: it did not say where it is reached (not routable)


@dataclass(frozen=True, slots=True)
class Placement:
    shards: int
    holders: tuple[Replica | None, ...]  # by shard; None while no live replica holds it
    replicas: tuple[Replica, ...]  # every live replica, holding shards or not

    def holder(self, shard: int) -> Replica | None:
        return self.holders[shard]

    def addresses(self) -> list[str]:
        """The live replicas' addresses (those that gave one), each once, in name order."""
        found = {r.address for r in self.replicas if r.address}
        found.update(h.address for h in self.holders if h is not None and h.address)
        return sorted(found)

    def to_json(self) -> dict[str, Any]:
        return {
            "shards": self.shards,
            "holders": [
                {
                    "shard": shard,
                    "replica": holder.name if holder else None,
                    "address": holder.address if holder else None,
                }
                for shard, holder in enumerate(self.holders)
            ],
            "replicas": [{"name": r.name, "address": r.address} for r in self.replicas],
        }

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> Placement:
        """The placement a replica answered; ValueError when it is not one."""
        try:
            shards = int(body["shards"])
            holders: list[Replica | None] = [None] * shards
            for entry in body["holders"]:
                if entry["replica"] is not None:
                    holders[int(entry["shard"])] = Replica(entry["replica"], entry["address"])
            replicas = tuple(Replica(r["name"], r["address"]) for r in body.get("replicas", []))
        except (KeyError, TypeError, IndexError, ValueError) as error:
            raise ValueError(f"not a shard placement: {error}") from error
        if shards < 1:
            raise ValueError(f"not a shard placement: {shards} shards")
        return cls(shards, tuple(holders), replicas)


def everywhere(shards: int, me: Replica) -> Placement:
    """One process holding every shard (embedded mode, SQLite)."""
    return Placement(shards, tuple(me for _ in range(shards)), (me,))


def placed(shards: int, held: Mapping[int, Replica], live: list[Replica]) -> Placement:
    return Placement(shards, tuple(held.get(s) for s in range(shards)), tuple(live))
