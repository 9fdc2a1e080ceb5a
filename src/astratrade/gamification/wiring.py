"""Subscribes gamification to trading's closed positions, and its read models to events."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.gamification import handlers
from astratrade.gamification.adapters.repository import SqlGamificationUnitOfWork
from astratrade.gamification.domain.rules import ProgressionRules
from astratrade.gamification.projections import PROJECTIONS
from astratrade.infrastructure import projections
from astratrade.infrastructure.projections import Projection
from astratrade.infrastructure.writer import Writer
from astratrade.shared.bus import EventPublisher, MessageBus
from astratrade.shared.clock import Clock
from astratrade.shared.messages import Envelope


def wire(
    bus: MessageBus,
    *,
    engine: AsyncEngine,
    writer: Writer,
    publisher: EventPublisher,
    clock: Clock,
    rules: ProgressionRules,
) -> tuple[Projection, ...]:
    """Subscribe the progression handler and the read models; return the read models."""

    async def on_position_closed(envelope: Envelope) -> None:
        close = handlers.closed_position(envelope, rules)
        if close is not None:
            uow = SqlGamificationUnitOfWork(engine, publisher, clock)
            await handlers.record_close(str(envelope.payload["owner_id"]), close, uow, rules)

    bus.subscribe("PositionClosed", on_position_closed, source="trading", consumer="gamification")
    for projection in PROJECTIONS:
        projections.subscribe(bus, projection, writer, clock)
    return PROJECTIONS
