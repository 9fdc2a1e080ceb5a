"""The live channels' reads, answered by the gamification service for the WebSocket hub,
which runs with trading: `GET /internal/v1/live/progression/{user_id}`,
`/live/boards/{channel}`, `/live/tournaments/{id}`."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response

from astratrade.entrypoints.realtime.connection import as_json
from astratrade.entrypoints.realtime.views import BOARDS
from astratrade.infrastructure.web.internal import internal_router
from astratrade.shared.errors import NotFound

router = internal_router("/internal/v1/live")


def _json(data: Any) -> Response:
    return Response(as_json(data), media_type="application/json")


@router.get("/progression/{user_id}")
async def live_progression(user_id: str, request: Request) -> Response:
    return _json(await request.app.state.live_views.progression_of(user_id))


@router.get("/boards/{channel}")
async def live_board(channel: str, request: Request) -> Response:
    if channel not in BOARDS:
        raise NotFound(f"no board {channel!r}")
    return _json(await request.app.state.live_views.board_top(channel))


@router.get("/tournaments/{tournament_id}")
async def live_tournament(tournament_id: str, request: Request) -> Response:
    return _json(await request.app.state.live_views.tournament_top(tournament_id))
