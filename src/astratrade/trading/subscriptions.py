"""What trading does with other contexts' events: each becomes one of its own commands,
run by its single writer (delivered exactly once by the bus or the Redis consumer)."""

from __future__ import annotations

from decimal import Decimal

from astratrade.shared.bus import MessageBus, Subscription
from astratrade.shared.clock import moment
from astratrade.shared.messages import Envelope
from astratrade.trading.domain.commands import (
    ApplyTransfer,
    OpenPracticeAccount,
    OpenTournamentAccount,
    SetLeverageLimit,
)


def subscriptions(bus: MessageBus) -> tuple[Subscription, ...]:
    async def open_practice_account(envelope: Envelope) -> None:
        await bus.execute(OpenPracticeAccount(owner_id=str(envelope.payload["user_id"])))

    async def open_tournament_account(envelope: Envelope) -> None:
        entry = envelope.payload
        await bus.execute(
            OpenTournamentAccount(
                owner_id=str(entry["user_id"]),
                account_id=str(entry["account_id"]),
                starting_capital=Decimal(str(entry["starting_capital"])),
                markets=tuple(entry["markets"]),
                opens_at=moment(entry["starts_at"]),
                closes_at=moment(entry["ends_at"]),
            )
        )

    async def follow_leverage_unlock(envelope: Envelope) -> None:
        # The progression context's unlock, kept in trading's own read model.
        await bus.execute(
            SetLeverageLimit(
                owner_id=str(envelope.payload["user_id"]),
                max_leverage=Decimal(str(envelope.payload["max_leverage"])),
            )
        )

    async def apply_transfer(envelope: Envelope) -> None:
        asked = envelope.payload
        await bus.execute(
            ApplyTransfer(transfer_id=str(asked["transfer_id"]),
                          account_id=str(asked["account_id"]), kind=str(asked["kind"]),
                          amount=Decimal(str(asked["amount"])))
        )  # fmt: skip

    return (  # (event type, the context publishing it, consumer, handler)
        Subscription("UserRegistered", "users", "trading", open_practice_account),
        Subscription("TournamentJoined", "gamification", "trading", open_tournament_account),
        Subscription("LeverageUnlocked", "gamification", "trading", follow_leverage_unlock),
        Subscription("TransferRequested", "financial", "trading", apply_transfer),
    )
