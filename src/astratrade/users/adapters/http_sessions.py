"""The session check in services other than users: the users service answers a user's
session state over its internal route (so those services never read the users' schema)."""

from __future__ import annotations

from astratrade.infrastructure.service_calls import service_client
from astratrade.users.ports import SessionState


class HttpSessionStates:
    def __init__(self, users_url: str, service_key: str, timeout: float) -> None:
        self._client = service_client(users_url, service_key, timeout)

    async def read(self, user_id: str) -> SessionState | None:
        answer = await self._client.get(f"/internal/v1/sessions/{user_id}")
        if answer.status_code == 404:
            return None
        answer.raise_for_status()  # an unreachable users service fails the request, 5xx
        body = answer.json()
        return SessionState(int(body["session_epoch"]), bool(body["suspended"]))

    async def close(self) -> None:
        await self._client.aclose()
