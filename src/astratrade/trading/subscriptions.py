"""What trading does with other contexts' events: each becomes one of its own commands,
run by its single writer with the event's delivery, whose tracking row commits with the
command's effects (exactly once, in-process or from Redis).

Each shard has a consumer group of its own (`trading` for shard 0, `trading.shard-<k>`
for the others), run by the replica that holds the shard: the group takes every event
and acts on those of its shard's accounts, so an event always reaches its accounts' one
writer, and a shard that moves takes its group's pending events along. Copy trading's
events and trading's own ProfitShareDebited are in copy_reactions.py."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from astratrade.shared.bus import BatchHandler, EventHandler, Subscription, ahead_of_read_models
from astratrade.shared.clock import moment
from astratrade.shared.delivery import Delivery
from astratrade.shared.messages import Envelope
from astratrade.trading.copy_reactions import (
    TOGETHER,
    CommandOf,
    Reaction,
    Written,
    copy_reactions,
    looked_up,
)
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
ShardOf = Callable[[dict[str, Any]], int]


def shard_consumer(shard: int) -> str:
    """The consumer group of one shard's events (shard 0 keeps trading's own name)."""
    return "trading" if shard == 0 else f"trading.shard-{shard}"


def subscriptions(
    execute: Execute, shards: Shards, written: Written | None = None
) -> tuple[Subscription, ...]:
    """Every shard's subscriptions: each event type once per shard (`written`: which copy
    orders are written, a batch's one read; None: each looks for its own)."""

    def owner(payload: dict[str, Any]) -> int:
        return shards.owner_shard(str(payload["user_id"]))

    def account(payload: dict[str, Any]) -> int:
        return shards.of(str(payload["account_id"]))

    reactions: tuple[Reaction, ...] = (  # (event type, its context, whose shard, command)
        ("UserRegistered", "users", owner, open_practice_account),
        ("TournamentJoined", "gamification", account, open_tournament_account),
        ("LeverageUnlocked", "gamification", owner, follow_leverage_unlock),
        ("TransferRequested", "financial", account, apply_transfer),
        *copy_reactions(shards),
    )

    def handler(shard: int, event_type: str, shard_of: ShardOf, command_of: CommandOf) -> Any:
        one = _in_shard(shard, shard_of, command_of, execute)
        if event_type not in TOGETHER:
            return ahead_of_read_models(one)
        return ahead_of_read_models(_together(shard, shard_of, command_of, execute, one, written))

    # Ahead of the read models, all of them (a consumer's events stay in order): trading
    # reads none of them, and a leader's copiers wait on its copy orders.
    return tuple(
        Subscription(
            event_type,
            source,
            shard_consumer(shard),
            handler(shard, event_type, shard_of, command_of),
        )
        for shard in shards.all()
        for event_type, source, shard_of, command_of in reactions
    )


def _in_shard(
    shard: int,
    shard_of: Callable[[dict[str, Any]], int],
    command_of: CommandOf,
    execute: Execute,
) -> Handler:
    """The event's command, run if the event is this shard's (another shard's is its
    group's: nothing to do here)."""

    async def handler(envelope: Envelope, delivery: Delivery) -> None:
        command = command_of(envelope) if shard_of(envelope.payload) == shard else None
        if command is not None:  # None: the event asks nothing of trading
            await execute(command, delivery)

    handler.__name__ = command_of.__name__
    return handler


def _together(
    shard: int,
    shard_of: ShardOf,
    command_of: CommandOf,
    execute: Execute,
    one: Handler,
    written: Written | None,
) -> EventHandler:
    """One at a time from a stream; a batch's share at once in process: every command of
    the shard's events started in order (the engine's lock takes them in that order), so
    they are decided one after the other while their commits are grouped. Each commits
    with its own delivery's tracking row, as one at a time would. One failing fails the
    share, which the dispatcher then hands over event by event (those committed already
    are found applied)."""

    async def handle_all(share: list[tuple[Envelope, Delivery]]) -> None:
        mine = [(command_of(e), d) for e, d in share if shard_of(e.payload) == shard]
        mine = [(command, delivery) for command, delivery in mine if command is not None]
        commands = [command for command, _ in mine]
        if written is not None:
            commands = await looked_up(commands, written)
        runs = [execute(c, delivery) for c, (_, delivery) in zip(commands, mine, strict=True)]
        failures = [
            result
            for result in await asyncio.gather(*runs, return_exceptions=True)
            if isinstance(result, BaseException)
        ]
        if failures:
            raise failures[0]

    return BatchHandler(one, handle_all)


def open_practice_account(event: Envelope) -> OpenPracticeAccount:
    return OpenPracticeAccount(owner_id=str(event.payload["user_id"]))


def open_tournament_account(event: Envelope) -> OpenTournamentAccount:
    entry = event.payload
    return OpenTournamentAccount(
        owner_id=str(entry["user_id"]),
        account_id=str(entry["account_id"]),
        starting_capital=Decimal(str(entry["starting_capital"])),
        markets=tuple(entry["markets"]),
        opens_at=moment(entry["starts_at"]),
        closes_at=moment(entry["ends_at"]),
    )


def follow_leverage_unlock(event: Envelope) -> SetLeverageLimit:
    payload = event.payload
    # The progression context's unlock, kept in trading's own read model.
    return SetLeverageLimit(
        owner_id=str(payload["user_id"]), max_leverage=Decimal(str(payload["max_leverage"]))
    )


def apply_transfer(event: Envelope) -> ApplyTransfer:
    asked = event.payload
    return ApplyTransfer(
        transfer_id=str(asked["transfer_id"]),
        account_id=str(asked["account_id"]),
        kind=str(asked["kind"]),
        amount=Decimal(str(asked["amount"])),
    )
