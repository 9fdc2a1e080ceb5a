"""What the `copy:<id>` WebSocket channel reads of copy trading where copy trading runs:
whose a copy is, and its snapshot -- the copy as `GET /copies/{id}` shows it with its
latest decisions page (the hub asks these in process, or over copy trading's internal
routes: entrypoints/realtime/copy_reads.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.copytrading.api.copies import account_of
from astratrade.copytrading.api.copy_schemas import CopyOut, DecisionOut, DecisionsOut
from astratrade.copytrading.handlers.common import Tools
from astratrade.copytrading.views import copies as views
from astratrade.copytrading.views.live import CopyOwner, following_of, owner_of

FIRST_PAGE = 20  # decisions in a snapshot: GET /copies/{id}/decisions' default page


class LiveCopies:
    def __init__(self, read_db: AsyncEngine, tools: Tools) -> None:
        self._db = read_db
        self._tools = tools

    async def owner_of(self, copy_id: str) -> CopyOwner | None:
        return await owner_of(self._db, copy_id)

    async def following(self, leader_id: str) -> dict[str, Any]:
        """`{"copiers", "allocated"}`: the copies of the leader not closed, and theirs."""
        return await following_of(self._db, leader_id)

    async def snapshot(self, user_id: str, copy_id: str) -> dict[str, Any]:
        """`{"copy": <as GET /copies/{id}>, "decisions": <its first page>}`; another
        user's copy is not found."""
        view = await views.copy_of(self._db, user_id, copy_id)
        account = await account_of(self._tools, view)
        page = await views.decisions_of(self._db, user_id, copy_id, None, FIRST_PAGE)
        decisions = DecisionsOut(
            items=[DecisionOut.of(v) for v in page.items], next_cursor=page.next_cursor
        )
        return {
            "copy": CopyOut.of(view, account).model_dump(mode="json"),
            "decisions": decisions.model_dump(mode="json"),
        }
