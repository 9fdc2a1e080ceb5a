"""Gamification's HTTP API: a trader's progression and the leaderboards."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from astratrade.gamification import views
from astratrade.gamification.adapters.board_index import BoardIndex
from astratrade.gamification.domain.rules import DEFAULT_RULES
from astratrade.infrastructure.web.deps import ClockDep, CurrentUser, Db
from astratrade.infrastructure.web.http import DecimalRoute
from astratrade.infrastructure.web.schemas import DecimalOut


async def get_boards(request: Request) -> BoardIndex | None:
    boards: BoardIndex | None = request.app.state.boards
    return boards


Boards = Annotated[BoardIndex | None, Depends(get_boards)]

router = APIRouter(prefix="/api/v1", tags=["gamification"], route_class=DecimalRoute)

BoardName = Literal["xp", "roi"]
Period = Literal["all", "week"]
Mode = Literal["all", "practice", "live"]
MAX_LIMIT = 500


class ProgressionOut(BaseModel):
    xp: int
    level: int
    max_leverage: int
    streak: int
    closes: int
    achievements: list[str]


class StandingOut(BaseModel):
    rank: int
    user_id: str
    username: str
    score: DecimalOut
    reached_at: datetime


class BoardOut(BaseModel):
    board: str
    period: str
    mode: str
    standings: list[StandingOut]


@router.get("/progression/me", response_model=ProgressionOut)
async def my_progression(user: CurrentUser, db: Db) -> ProgressionOut:
    view = await views.progression_of(db, user.user_id, DEFAULT_RULES)
    return ProgressionOut(
        xp=view.xp,
        level=view.level,
        max_leverage=view.max_leverage,
        streak=view.streak,
        closes=view.closes,
        achievements=view.achievements,
    )


@router.get("/leaderboards/{board}", response_model=BoardOut)
async def leaderboard(
    board: BoardName,
    _user: CurrentUser,
    db: Db,
    clock: ClockDep,
    index: Boards,
    period: Period | None = None,
    mode: Mode | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
) -> BoardOut:
    """The top `limit` (at most 500); ties go to whoever reached the score first.
    xp: period all (default) or week, every mode together. roi: this week only, practice
    (default) or live, ranked from the week's fifth close; the score is P&L over capital."""
    chosen = views.choose(board, period, mode, clock.now())
    return _out(chosen, await views.top(db, chosen, limit, index))


@router.get("/leaderboards/{board}/me", response_model=BoardOut)
async def my_standing(
    board: BoardName,
    user: CurrentUser,
    db: Db,
    clock: ClockDep,
    index: Boards,
    period: Period | None = None,
    mode: Mode | None = None,
    around: Annotated[int, Query(ge=0, le=MAX_LIMIT)] = 5,
) -> BoardOut:
    """The caller's standing with `around` traders on each side (empty until ranked)."""
    chosen = views.choose(board, period, mode, clock.now())
    return _out(chosen, await views.around(db, chosen, user.user_id, around, index))


def _out(board: views.Board, standings: list[views.Standing]) -> BoardOut:
    return BoardOut(
        board=board.board,
        period=board.period,
        mode=board.mode,
        standings=[
            StandingOut(
                rank=s.rank,
                user_id=s.user_id,
                username=s.username,
                score=Decimal(s.score),
                reached_at=s.reached_at,
            )
            for s in standings
        ],
    )
