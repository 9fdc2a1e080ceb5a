"""What trading does with other contexts' events: each becomes one of its own commands,
run by its single writer with the event's delivery, whose tracking row commits with the
command's effects (exactly once, in-process or from Redis).

Each shard has a consumer group of its own (`trading` for shard 0, `trading.shard-<k>`
for the others), run by the replica that holds the shard: the group takes every event
and acts on those of its shard's accounts, so an event always reaches its accounts' one
writer, and a shard that moves takes its group's pending events along."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from astratrade.shared.bus import Subscription
from astratrade.shared.clock import moment
from astratrade.shared.delivery import Delivery
from astratrade.shared.messages import Envelope
from astratrade.trading.domain.commands import (
    ApplyTransfer,
    OpenPracticeAccount,
    OpenTournamentAccount,
    SetLeverageLimit,
)
from astratrade.trading.domain.shards import Shards

# Runs one of trading's commands on its single writer, recording the event's delivery.
Execute = Callable[[Any, Delivery], Awaitable[Any]]
Handler = Callable[[Envelope, Delivery], Awaitable[None]]


def shard_consumer(shard: int) -> str:
    """The consumer group of one shard's events (shard 0 keeps trading's own name)."""
    return "trading" if shard == 0 else f"trading.shard-{shard}"


def subscriptions(execute: Execute, shards: Shards) -> tuple[Subscription, ...]:
    """Every shard's subscriptions: each event type once per shard."""
    return tuple(s for shard in shards.all() for s in _of_shard(execute, shards, shard))


def _of_shard(execute: Execute, shards: Shards, shard: int) -> tuple[Subscription, ...]:
    def only_here(shard_of: Callable[[dict[str, Any]], int], handle: Handler) -> Handler:
        # Another shard's event is its group's: nothing to do here.
        async def handler(envelope: Envelope, delivery: Delivery) -> None:
            if shard_of(envelope.payload) == shard:
                await handle(envelope, delivery)

        handler.__name__ = getattr(handle, "__name__", "handler")
        return handler

    def owner(payload: dict[str, Any]) -> int:
        return shards.owner_shard(str(payload["user_id"]))

    def account(payload: dict[str, Any]) -> int:
        return shards.of(str(payload["account_id"]))

    async def open_practice_account(envelope: Envelope, delivery: Delivery) -> None:
        owner_id = str(envelope.payload["user_id"])
        await execute(OpenPracticeAccount(owner_id=owner_id), delivery)

    async def open_tournament_account(envelope: Envelope, delivery: Delivery) -> None:
        entry = envelope.payload
        command = OpenTournamentAccount(
            owner_id=str(entry["user_id"]),
            account_id=str(entry["account_id"]),
            starting_capital=Decimal(str(entry["starting_capital"])),
            markets=tuple(entry["markets"]),
            opens_at=moment(entry["starts_at"]),
            closes_at=moment(entry["ends_at"]),
        )
        await execute(command, delivery)

    async def follow_leverage_unlock(envelope: Envelope, delivery: Delivery) -> None:
        # The progression context's unlock, kept in trading's own read model.
        command = SetLeverageLimit(
            owner_id=str(envelope.payload["user_id"]),
            max_leverage=Decimal(str(envelope.payload["max_leverage"])),
        )
        await execute(command, delivery)

    async def apply_transfer(envelope: Envelope, delivery: Delivery) -> None:
        asked = envelope.payload
        command = ApplyTransfer(
            transfer_id=str(asked["transfer_id"]),
            account_id=str(asked["account_id"]),
            kind=str(asked["kind"]),
            amount=Decimal(str(asked["amount"])),
        )
        await execute(command, delivery)

    consumer = shard_consumer(shard)
    return (  # (event type, the context publishing it, consumer, handler)
        Subscription("UserRegistered", "users", consumer, only_here(owner, open_practice_account)),
        Subscription(
            "TournamentJoined",
            "gamification",
            consumer,
            only_here(account, open_tournament_account),
        ),
        Subscription(
            "LeverageUnlocked", "gamification", consumer, only_here(owner, follow_leverage_unlock)
        ),
        Subscription(
            "TransferRequested", "financial", consumer, only_here(account, apply_transfer)
        ),
    )
