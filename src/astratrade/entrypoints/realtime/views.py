"""What the live channels read from gamification: a trader's progression, the top of a
board, a tournament's board. The hub runs where trading does; gamification's views are
read in this process when gamification runs here too (embedded), else asked of the
gamification service over its internal routes, so trading never reads its schema."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.gamification import views as board_views
from astratrade.gamification.domain.rules import DEFAULT_RULES
from astratrade.infrastructure.service_calls import service_client
from astratrade.shared.clock import Clock
from astratrade.shared.errors import NotFound

TOP = 10
# channel -> (board, period, mode) as the HTTP API names them
BOARDS = {
    "leaderboard:xp": ("xp", None, None),
    "leaderboard:xp:week": ("xp", "week", None),
    "leaderboard:roi": ("roi", "week", "practice"),
    "leaderboard:roi:live": ("roi", "week", "live"),
}


class LiveViews(Protocol):
    # Seconds an event's read model may lag behind the event here: a board is read again
    # that long after the event that moved it (0: the read model is applied first).
    settle_seconds: float

    async def progression_of(self, user_id: str) -> dict[str, Any]: ...

    async def board_top(self, channel: str) -> list[dict[str, Any]]: ...

    async def tournament_top(self, tournament_id: str) -> dict[str, Any]:
        """NotFound for a tournament there is none of."""
        ...


class SqlLiveViews:
    """Gamification's read models in this process's database (embedded, or the
    gamification service answering the others)."""

    settle_seconds = 0.0  # in-process, events reach the hub after their projections

    def __init__(self, read_db: AsyncEngine, clock: Clock) -> None:
        self._db = read_db
        self._clock = clock

    async def progression_of(self, user_id: str) -> dict[str, Any]:
        return asdict(await board_views.progression_of(self._db, user_id, DEFAULT_RULES))

    async def board_top(self, channel: str) -> list[dict[str, Any]]:
        board = board_views.choose(*BOARDS[channel], self._clock.now())
        standings = await board_views.top(self._db, board, TOP)
        return [
            {"rank": s.rank, "user_id": s.user_id, "username": s.username, "score": s.score}
            for s in standings
        ]

    async def tournament_top(self, tournament_id: str) -> dict[str, Any]:
        frozen, placings = await board_views.board(
            self._db, tournament_id, DEFAULT_RULES.tournament_min_closes, TOP
        )
        return {
            "frozen": frozen,
            "standings": [
                {
                    "rank": p.rank,
                    "user_id": p.user_id,
                    "username": p.username,
                    "score": p.score,
                    "closes": p.closes,
                }
                for p in placings
            ],
        }


class HttpLiveViews:
    """The gamification service's answers (distributed mode)."""

    # The hub sees an event as the gamification service's consumer applies it: give the
    # projection a moment before reading the board it moves.
    settle_seconds = 0.25

    def __init__(self, gamification_url: str, service_key: str, timeout: float) -> None:
        self._client = service_client(gamification_url, service_key, timeout)

    async def _get(self, path: str) -> Any:
        answer = await self._client.get(f"/internal/v1/live/{path}")
        if answer.status_code == 404:
            raise NotFound(answer.json()["error"]["message"])
        answer.raise_for_status()
        return answer.json()

    async def progression_of(self, user_id: str) -> dict[str, Any]:
        found: dict[str, Any] = await self._get(f"progression/{user_id}")
        return found

    async def board_top(self, channel: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = await self._get(f"boards/{channel}")
        return found

    async def tournament_top(self, tournament_id: str) -> dict[str, Any]:
        found: dict[str, Any] = await self._get(f"tournaments/{tournament_id}")
        return found

    async def close(self) -> None:
        await self._client.aclose()
