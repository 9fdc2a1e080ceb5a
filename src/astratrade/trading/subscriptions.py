"""What trading does with other contexts' events: each becomes one of its own commands,
run by its single writer with the event's delivery, whose tracking row commits with the
command's effects (exactly once, in-process or from Redis)."""

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

# Runs one of trading's commands on its single writer, recording the event's delivery.
Execute = Callable[[Any, Delivery], Awaitable[Any]]


def subscriptions(execute: Execute) -> tuple[Subscription, ...]:
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

    return (  # (event type, the context publishing it, consumer, handler)
        Subscription("UserRegistered", "users", "trading", open_practice_account),
        Subscription("TournamentJoined", "gamification", "trading", open_tournament_account),
        Subscription("LeverageUnlocked", "gamification", "trading", follow_leverage_unlock),
        Subscription("TransferRequested", "financial", "trading", apply_transfer),
    )
