"""Tournaments over HTTP: admins create them; traders list, join and follow the board."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from astratrade.gamification import views
from astratrade.gamification.domain.commands import CreateTournament, JoinTournament
from astratrade.gamification.domain.rules import DEFAULT_RULES
from astratrade.gamification.domain.tournaments import Tournament
from astratrade.gamification.handlers.tournaments import Entry
from astratrade.infrastructure.web.deps import AdminUser, Bus, ClockDep, CurrentUser, Db
from astratrade.infrastructure.web.http import DecimalRoute
from astratrade.infrastructure.web.schemas import DecimalOut, MomentIn, MoneyIn

router = APIRouter(prefix="/api/v1", tags=["tournaments"], route_class=DecimalRoute)


class TournamentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=80)]
    markets: Annotated[list[str], Field(min_length=1, max_length=10)]
    starts_at: MomentIn
    ends_at: MomentIn
    starting_capital: MoneyIn = Decimal(10_000)
    max_entrants: Annotated[int, Field(ge=2, le=100_000)] = 100
    min_level: Annotated[int, Field(ge=1, le=1000)] = 1


class TournamentOut(BaseModel):
    tournament_id: str
    name: str
    markets: list[str]
    starts_at: datetime
    ends_at: datetime
    starting_capital: DecimalOut
    max_entrants: int
    min_level: int
    entrants: int
    status: str  # upcoming, running, ended (freezing), finished
    account_id: str | None  # the caller's tournament account, once joined


class EntryOut(BaseModel):
    tournament_id: str
    account_id: str


class PlacingOut(BaseModel):
    rank: int
    user_id: str
    username: str
    score: DecimalOut  # ROI of the tournament account: 0.125 is +12.5 %
    closes: int


class TournamentBoardOut(BaseModel):
    tournament_id: str
    frozen: bool
    standings: list[PlacingOut]


@router.post("/tournaments", status_code=201, response_model=TournamentOut)
async def create(body: TournamentIn, _admin: AdminUser, bus: Bus, clock: ClockDep) -> TournamentOut:
    tournament: Tournament = await bus.execute(
        CreateTournament(**{**body.model_dump(), "markets": tuple(body.markets)})
    )
    return _out(views.TournamentView(tournament, tournament.status(clock.now()).value, None))


@router.get("/tournaments", response_model=list[TournamentOut])
async def list_all(user: CurrentUser, db: Db, clock: ClockDep) -> list[TournamentOut]:
    return [_out(v) for v in await views.list_tournaments(db, user.user_id, clock.now())]


@router.get("/tournaments/{tournament_id}", response_model=TournamentOut)
async def get_one(tournament_id: str, user: CurrentUser, db: Db, clock: ClockDep) -> TournamentOut:
    return _out(await views.tournament(db, tournament_id, user.user_id, clock.now()))


@router.post("/tournaments/{tournament_id}/join", response_model=EntryOut, status_code=201)
async def join(tournament_id: str, user: CurrentUser, bus: Bus, response: Response) -> EntryOut:
    """201 with the new tournament account; joining again answers 200 with the same one."""
    entry: Entry = await bus.execute(
        JoinTournament(tournament_id=tournament_id, user_id=user.user_id)
    )
    if not entry.joined_now:
        response.status_code = 200
    return EntryOut(tournament_id=entry.tournament_id, account_id=entry.account_id)


@router.get("/tournaments/{tournament_id}/leaderboard", response_model=TournamentBoardOut)
async def leaderboard(
    tournament_id: str,
    _user: CurrentUser,
    db: Db,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> TournamentBoardOut:
    """Live while it runs (ROI of each tournament account, from its 3rd close); frozen once
    the clock has ended it."""
    frozen, placings = await views.board(
        db, tournament_id, DEFAULT_RULES.tournament_min_closes, limit
    )
    return TournamentBoardOut(
        tournament_id=tournament_id,
        frozen=frozen,
        standings=[
            PlacingOut(
                rank=p.rank, user_id=p.user_id, username=p.username, score=p.score, closes=p.closes
            )
            for p in placings
        ],
    )


def _out(view: views.TournamentView) -> TournamentOut:
    t = view.tournament
    return TournamentOut(
        tournament_id=t.id,
        name=t.name,
        markets=list(t.markets),
        starts_at=t.starts_at,
        ends_at=t.ends_at,
        starting_capital=t.starting_capital,
        max_entrants=t.max_entrants,
        min_level=t.min_level,
        entrants=t.entrants,
        status=view.status,
        account_id=view.account_id,
    )
