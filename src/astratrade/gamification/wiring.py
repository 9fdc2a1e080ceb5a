"""Subscribes gamification to trading's closed positions, and its read models to events."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.gamification.adapters.board_index import BoardIndex
from astratrade.gamification.adapters.repository import SqlGamificationUnitOfWork
from astratrade.gamification.domain.commands import CreateTournament, JoinTournament
from astratrade.gamification.domain.rules import ProgressionRules
from astratrade.gamification.domain.tournaments import Tournament
from astratrade.gamification.handlers import progression, tournaments
from astratrade.gamification.projections import (
    PLAN_LIMITS,
    PLAYERS,
    PROJECTIONS,
    ROI_BOARDS,
    TOURNAMENT_BOARDS,
    XP_BOARDS,
)
from astratrade.infrastructure import projections
from astratrade.infrastructure.projections import Projection
from astratrade.infrastructure.unit_of_work import batch_of
from astratrade.infrastructure.writer import Writer
from astratrade.shared.bus import EventPublisher, MessageBus
from astratrade.shared.clock import Clock
from astratrade.shared.delivery import Delivery
from astratrade.shared.ids import new_id
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
    markets: Sequence[str],
    boards: BoardIndex | None = None,
) -> Wired:
    """Subscribe the progression handler and the read models, register the tournament
    commands; return the read models and what runs as the clock moves."""

    def new_uow(delivery: Delivery | None = None) -> SqlGamificationUnitOfWork:
        return SqlGamificationUnitOfWork(engine, publisher, clock, delivery)

    async def on_position_closed(envelope: Envelope, delivery: Delivery) -> None:
        close = progression.closed_position(envelope, rules)
        if close is not None:
            owner_id = str(envelope.payload["owner_id"])
            await progression.record_close(owner_id, close, new_uow(delivery), rules)

    bus.subscribe("PositionClosed", on_position_closed, source="trading", consumer="gamification")
    projections.subscribe(bus, PLAYERS, writer, clock)

    def feed_board(board: Projection, user_field: str) -> None:
        async def project(envelope: Envelope, delivery: Delivery) -> None:
            await projections.apply_once(writer, board, envelope, delivery, clock.now())
            user_id = envelope.payload.get(user_field)
            if boards is not None and user_id is not None:  # then its Redis index
                await refresh_index(boards, read_db, str(user_id), delivery)

        for event_type in sorted(board.event_types):
            bus.subscribe(event_type, project, source=board.source, consumer=board.name)

    feed_board(XP_BOARDS, "user_id")
    feed_board(ROI_BOARDS, "owner_id")
    projections.subscribe(bus, TOURNAMENT_BOARDS, writer, clock)
    projections.subscribe(bus, PLAN_LIMITS, writer, clock)

    async def create(cmd: CreateTournament) -> Tournament:
        return await tournaments.create_tournament(
            cmd, new_uow(), tournament_id=new_id(), listed=markets, at=clock.now()
        )

    async def join(cmd: JoinTournament) -> tournaments.Entry:
        return await tournaments.join_tournament(
            cmd.tournament_id, cmd.user_id, new_uow(), rules, clock.now()
        )

    async def finish_tournaments() -> None:
        await tournaments.finish_due_tournaments(new_uow, rules, clock.now())

    bus.register(CreateTournament, create)
    bus.register(JoinTournament, join)
    return Wired(PROJECTIONS, (finish_tournaments,))


@dataclass(frozen=True, slots=True)
class Wired:
    projections: tuple[Projection, ...]
    on_time: tuple[Callable[[], Awaitable[None]], ...]  # run whenever the clock moves


async def refresh_index(
    boards: BoardIndex, read_db: AsyncEngine, user_id: str, delivery: Delivery
) -> None:
    """Inside a stream consumer's batch (the delivery carries it) the rows are not committed
    yet: read them through its transaction. (Should the batch then fail, the redo puts the
    same values again.)"""
    batch = batch_of(delivery)
    if batch is not None:
        await boards.refresh(batch.connection, user_id)
        return
    async with read_db.connect() as conn:
        await boards.refresh(conn, user_id)
