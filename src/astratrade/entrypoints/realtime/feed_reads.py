"""What the `feed` channel reads from social: the first page of a trader's home feed, and
who of the traders watching gets a new post. Social's `LiveFeed` where social runs in this
process (embedded); else asked of the social service over its internal routes
(`/internal/v1/live/feed/...`, internal.py)."""

from __future__ import annotations

from typing import Any, Protocol

from astratrade.entrypoints.realtime.connection import as_json
from astratrade.infrastructure.service_calls import service_client
from astratrade.shared.messages import Envelope


class FeedReads(Protocol):
    async def snapshot(self, user_id: str) -> dict[str, Any]: ...

    async def pushed(
        self, envelope: Envelope, watching: set[str]
    ) -> tuple[dict[str, Any] | None, list[str]]:
        """The item, and the users among `watching` whose feed it belongs in."""
        ...


class HttpFeedReads:
    """The social service's answers (distributed mode)."""

    def __init__(self, social_url: str, service_key: str, timeout: float) -> None:
        self._client = service_client(social_url, service_key, timeout)

    async def snapshot(self, user_id: str) -> dict[str, Any]:
        answer = await self._client.get(f"/internal/v1/live/feed/{user_id}")
        answer.raise_for_status()
        found: dict[str, Any] = answer.json()
        return found

    async def pushed(
        self, envelope: Envelope, watching: set[str]
    ) -> tuple[dict[str, Any] | None, list[str]]:
        body = {"envelope": envelope.as_json(), "watching": sorted(watching)}
        answer = await self._client.post(
            "/internal/v1/live/feed/audience",
            content=as_json(body),
            headers={"content-type": "application/json"},
        )
        answer.raise_for_status()
        found = answer.json()
        return found["item"], list(found["audience"])

    async def close(self) -> None:
        await self._client.aclose()
