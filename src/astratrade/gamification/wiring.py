"""Subscribes gamification to trading's closed positions, and its read models to events."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.gamification import handlers
from astratrade.gamification.adapters.redis_boards import RedisBoards
from astratrade.gamification.adapters.repository import SqlGamificationUnitOfWork
from astratrade.gamification.domain.rules import ProgressionRules
from astratrade.gamification.projections import PLAYERS, PROJECTIONS, ROI_BOARDS, XP_BOARDS
from astratrade.infrastructure import projections
from astratrade.infrastructure.projections import Projection
from astratrade.infrastructure.unit_of_work import shared_transaction
from astratrade.infrastructure.writer import Writer
from astratrade.shared.bus import EventPublisher, MessageBus
from astratrade.shared.clock import Clock
from astratrade.shared.messages import Envelope


def wire(
    bus: MessageBus,
    *,
    engine: AsyncEngine,
    read_db: AsyncEngine,
    writer: Writer,
    publisher: EventPublisher,
    clock: Clock,
    rules: ProgressionRules,
    boards: RedisBoards | None = None,
) -> tuple[Projection, ...]:
    """Subscribe the progression handler and the read models; return the read models."""

    async def on_position_closed(envelope: Envelope) -> None:
        close = handlers.closed_position(envelope, rules)
        if close is not None:
            uow = SqlGamificationUnitOfWork(engine, publisher, clock)
            await handlers.record_close(str(envelope.payload["owner_id"]), close, uow, rules)

    bus.subscribe("PositionClosed", on_position_closed, source="trading", consumer="gamification")
    projections.subscribe(bus, PLAYERS, writer, clock)

    def feed_board(board: Projection, user_field: str) -> None:
        async def project(envelope: Envelope) -> None:
            await projections.apply_once(writer, board, envelope, clock.now())
            user_id = envelope.payload.get(user_field)
            if boards is not None and user_id is not None:  # then its Redis index
                await refresh_index(boards, read_db, str(user_id))

        for event_type in sorted(board.event_types):
            bus.subscribe(event_type, project, source=board.source, consumer=board.name)

    feed_board(XP_BOARDS, "user_id")
    feed_board(ROI_BOARDS, "owner_id")
    return PROJECTIONS


async def refresh_index(boards: RedisBoards, read_db: AsyncEngine, user_id: str) -> None:
    """Inside a stream consumer's batch the rows are not committed yet: read them through
    its transaction. (Should the batch then fail, the redo puts the same values again.)"""
    shared = shared_transaction.get()
    if shared is not None:
        await boards.refresh(shared.connection, user_id)
        return
    async with read_db.connect() as conn:
        await boards.refresh(conn, user_id)
