"""Gamification's module: progression from trading's closed positions, the boards (with
their Redis index when there is Redis), and tournaments."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from astratrade.config import Settings
from astratrade.gamification.adapters.board_index import BoardIndex
from astratrade.gamification.adapters.redis_boards import RedisBoards
from astratrade.gamification.adapters.repository import SqlGamificationUnitOfWork
from astratrade.gamification.api.progression import router
from astratrade.gamification.api.tournaments import router as tournament_router
from astratrade.gamification.domain.commands import CreateTournament, JoinTournament
from astratrade.gamification.domain.rules import DEFAULT_RULES
from astratrade.gamification.domain.tournaments import Tournament
from astratrade.gamification.handlers import progression, tournaments
from astratrade.gamification.projections import PROJECTIONS, ROI_BOARDS, XP_BOARDS
from astratrade.infrastructure import projections, streams
from astratrade.infrastructure.projections import AfterApplied, Projection
from astratrade.modules import Infrastructure, Module
from astratrade.shared.bus import BatchHandler, CommandHandler, Subscription
from astratrade.shared.delivery import Delivery
from astratrade.shared.ids import new_id
from astratrade.shared.messages import Envelope

ROUTERS = (router, tournament_router)


def wire(infra: Infrastructure, *, markets: Sequence[str]) -> Module:
    """`markets`: the markets trading lists (a tournament trades some of them)."""
    boards = _board_index(infra.settings, infra.read_db)
    return Module(
        "gamification",
        routers=ROUTERS,
        commands=_tournament_commands(infra, markets),
        subscriptions=(
            _progression_from_closes(infra),
            *_feed_board(infra, XP_BOARDS, "user_id", boards),
            *_feed_board(infra, ROI_BOARDS, "owner_id", boards),
        ),
        projections=PROJECTIONS,  # the boards' are fed by the subscriptions above
        on_time=(_tournament_finisher(infra),),
        # The index loads before events flow, so that no refresh meets a half load.
        prepare=() if boards is None else (boards.start,),
        closers=() if boards is None else (boards.close,),
        provides={"boards": boards},
    )


def _new_uow(infra: Infrastructure, delivery: Delivery | None = None) -> SqlGamificationUnitOfWork:
    return SqlGamificationUnitOfWork(infra.db, infra.publisher, infra.clock, delivery)


def _progression_from_closes(infra: Infrastructure) -> Subscription:
    """Traders' progression from trading's closed positions: one at a time from a stream,
    an in-process batch's closes in one commit."""
    rules = DEFAULT_RULES

    async def on_position_closed(envelope: Envelope, delivery: Delivery) -> None:
        close = progression.closed_position(envelope, rules)
        if close is not None:
            owner_id = str(envelope.payload["owner_id"])
            await progression.record_close(owner_id, close, _new_uow(infra, delivery), rules)

    async def on_positions_closed(deliveries: list[tuple[Envelope, Delivery]]) -> None:
        """An in-process batch's closes in one commit, with their tracking rows."""
        closes = []
        for envelope, delivery in deliveries:
            close = progression.closed_position(envelope, rules)
            if close is not None:  # else nothing to commit, as one at a time
                closes.append((envelope, close, delivery))
        if closes:
            uow = SqlGamificationUnitOfWork(
                infra.db, infra.publisher, infra.clock, deliveries=[d for _, _, d in closes]
            )
            await progression.record_closes([(e, c) for e, c, _ in closes], uow, rules)

    # The handler's name is part of the subscription's: its tracking rows are kept under it.
    handler = BatchHandler(on_position_closed, on_positions_closed)
    return Subscription("PositionClosed", "trading", "gamification", handler)


def _tournament_commands(
    infra: Infrastructure, markets: Sequence[str]
) -> dict[type[Any], CommandHandler]:
    rules, clock = DEFAULT_RULES, infra.clock

    async def create(cmd: CreateTournament) -> Tournament:
        return await tournaments.create_tournament(
            cmd, _new_uow(infra), tournament_id=new_id(), listed=markets, at=clock.now()
        )

    async def join(cmd: JoinTournament) -> tournaments.Entry:
        return await tournaments.join_tournament(
            cmd.tournament_id,
            cmd.user_id,
            _new_uow(infra),
            rules,
            clock.now(),
            shards=infra.settings.trading_shards,
        )

    return {CreateTournament: create, JoinTournament: join}


def _tournament_finisher(infra: Infrastructure) -> Callable[[], Awaitable[None]]:
    async def finish_tournaments() -> None:
        await tournaments.finish_due_tournaments(
            lambda: _new_uow(infra), DEFAULT_RULES, infra.clock.now()
        )

    return finish_tournaments


def _feed_board(
    infra: Infrastructure, board: Projection, user_field: str, boards: BoardIndex | None
) -> tuple[Subscription, ...]:
    """The board's read model, then (with Redis) the standings in its index of the users
    whose events were applied."""
    after = None if boards is None else _refresher(boards, infra.read_db, user_field)
    feed = projections.ProjectionFeed(board, infra.writer, infra.clock, after=after)
    return tuple(
        Subscription(event_type, board.source, board.name, feed)
        for event_type in sorted(board.event_types)
    )


def _refresher(boards: BoardIndex, read_db: AsyncEngine, user_field: str) -> AfterApplied:
    async def refresh_users(envelopes: list[Envelope], reader: AsyncConnection | None) -> None:
        users = {e.payload.get(user_field) for e in envelopes} - {None}
        for user_id in sorted(map(str, users)):  # rows hold the batch's end: once a user
            await refresh_index(boards, read_db, user_id, reader)

    return refresh_users


def _board_index(settings: Settings, read_db: AsyncEngine) -> BoardIndex | None:
    """The boards' Redis index, when there is Redis (SQL answers without it)."""
    if settings.redis_url is None:
        return None
    # Board reads are on request paths: a Redis that does not answer in 2 s is down.
    index = RedisBoards(
        streams.connect(settings.redis_url, command_timeout=2.0), settings.redis_prefix
    )
    return BoardIndex(index, read_db)


async def refresh_index(
    boards: BoardIndex, read_db: AsyncEngine, user_id: str, reader: AsyncConnection | None
) -> None:
    """Inside a stream consumer's batch (`reader` is its open transaction) the rows are not
    committed yet: read them through it. (Should the batch then fail, the redo puts the
    same values again.)"""
    if reader is not None:
        await boards.refresh(reader, user_id)
        return
    async with read_db.connect() as conn:
        await boards.refresh(conn, user_id)
