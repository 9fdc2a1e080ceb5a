"""What trading does with other contexts' events: each becomes one of its own commands,
run by its single writer with the event's delivery, whose tracking row commits with the
command's effects (exactly once, in-process or from Redis)."""

from __future__ import annotations

from decimal import Decimal

from astratrade.shared.bus import MessageBus
from astratrade.shared.clock import moment
from astratrade.shared.delivery import Delivery
from astratrade.shared.messages import Envelope
from astratrade.trading.domain.commands import (
    ApplyTransfer,
    OpenPracticeAccount,
    OpenTournamentAccount,
    SetLeverageLimit,
)
from astratrade.trading.engine import TradingEngine


def subscribe(bus: MessageBus, engine: TradingEngine) -> None:
    async def open_practice_account(envelope: Envelope, delivery: Delivery) -> None:
        owner_id = str(envelope.payload["user_id"])
        await engine.execute(OpenPracticeAccount(owner_id=owner_id), delivery)

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
        await engine.execute(command, delivery)

    async def follow_leverage_unlock(envelope: Envelope, delivery: Delivery) -> None:
        # The progression context's unlock, kept in trading's own read model.
        command = SetLeverageLimit(
            owner_id=str(envelope.payload["user_id"]),
            max_leverage=Decimal(str(envelope.payload["max_leverage"])),
        )
        await engine.execute(command, delivery)

    async def apply_transfer(envelope: Envelope, delivery: Delivery) -> None:
        asked = envelope.payload
        command = ApplyTransfer(
            transfer_id=str(asked["transfer_id"]),
            account_id=str(asked["account_id"]),
            kind=str(asked["kind"]),
            amount=Decimal(str(asked["amount"])),
        )
        await engine.execute(command, delivery)

    bus.subscribe("UserRegistered", open_practice_account, source="users", consumer="trading")
    bus.subscribe(
        "TournamentJoined", open_tournament_account, source="gamification", consumer="trading"
    )
    bus.subscribe(
        "LeverageUnlocked", follow_leverage_unlock, source="gamification", consumer="trading"
    )
    bus.subscribe("TransferRequested", apply_transfer, source="financial", consumer="trading")
