"""What trading does with other contexts' events: each becomes one of its own commands,
run by its single writer (delivered exactly once by the bus or the Redis consumer)."""

from __future__ import annotations

from decimal import Decimal

from astratrade.shared.bus import MessageBus
from astratrade.shared.clock import moment
from astratrade.shared.messages import Envelope
from astratrade.trading.domain.commands import (
    ApplyTransfer,
    OpenPracticeAccount,
    OpenTournamentAccount,
    SetLeverageLimit,
)


def subscribe(bus: MessageBus) -> None:
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

    bus.subscribe("UserRegistered", open_practice_account, source="users", consumer="trading")
    bus.subscribe(
        "TournamentJoined", open_tournament_account, source="gamification", consumer="trading"
    )
    bus.subscribe(
        "LeverageUnlocked", follow_leverage_unlock, source="gamification", consumer="trading"
    )
    bus.subscribe("TransferRequested", apply_transfer, source="financial", consumer="trading")
