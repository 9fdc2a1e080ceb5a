"""What the `copy:<id>` channel reads of copy trading: whose a copy is and its snapshot.
Copy trading's `LiveCopies` where copy trading runs in this process (embedded); else asked
of the copy-trading service over its internal routes (`/internal/v1/live/copies/...`,
internal.py). The copy account's figures come from trading itself (`copy_feed.py`)."""

from __future__ import annotations

from typing import Any, Protocol

from astratrade.copytrading.views.live import CopyOwner
from astratrade.infrastructure.service_calls import service_client
from astratrade.shared.errors import NotFound, Unavailable


class CopyReads(Protocol):
    async def owner_of(self, copy_id: str) -> CopyOwner | None: ...

    async def snapshot(self, user_id: str, copy_id: str) -> dict[str, Any]:
        """NotFound for another user's copy."""
        ...

    async def following(self, leader_id: str) -> dict[str, Any]:
        """The `leader` channel's figures: copiers and their allocations."""
        ...


class HttpCopyReads:
    """The copy-trading service's answers (distributed mode)."""

    def __init__(self, copytrading_url: str, service_key: str, timeout: float) -> None:
        self._client = service_client(copytrading_url, service_key, timeout)

    async def owner_of(self, copy_id: str) -> CopyOwner | None:
        answer = await self._client.get(f"/internal/v1/live/copies/{copy_id}/owner")
        if answer.status_code == 404:
            return None
        _raise_for(answer.status_code, "owner")
        found = answer.json()
        return CopyOwner(str(found["copier_id"]), str(found["copy_account_id"]))

    async def snapshot(self, user_id: str, copy_id: str) -> dict[str, Any]:
        answer = await self._client.get(f"/internal/v1/live/copies/{copy_id}/of/{user_id}")
        if answer.status_code == 404:
            raise NotFound(f"no copy {copy_id}")
        _raise_for(answer.status_code, "snapshot")
        found: dict[str, Any] = answer.json()
        return found

    async def following(self, leader_id: str) -> dict[str, Any]:
        answer = await self._client.get(f"/internal/v1/live/leaders/{leader_id}")
        _raise_for(answer.status_code, "leader's figures")
        found: dict[str, Any] = answer.json()
        return found

    async def close(self) -> None:
        await self._client.aclose()


def _raise_for(status: int, what: str) -> None:
    if status >= 400:
        raise Unavailable(f"copy trading answered {status} for a copy's {what}")
