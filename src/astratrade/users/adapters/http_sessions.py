"""The session check in services other than users: the users service answers a user's
session state over its internal route (so those services never read the users' schema),
and many users' at once for the open WebSockets' check."""

from __future__ import annotations

from collections.abc import Collection

from astratrade.infrastructure.service_calls import answered_by, service_client
from astratrade.users.ports import SessionState

USERS_PER_CALL = 1_000  # ~40 KB of ids: within the services' request body cap (64 KiB)


class HttpSessionStates:
    def __init__(self, users_url: str, service_key: str, timeout: float) -> None:
        self._client = service_client(users_url, service_key, timeout)

    async def read(self, user_id: str) -> SessionState | None:
        with answered_by("users"):  # no session check, no answer: 503 naming users
            answer = await self._client.get(f"/internal/v1/sessions/{user_id}")
            if answer.status_code == 404:
                return None
            answer.raise_for_status()
        body = answer.json()
        return SessionState(int(body["session_epoch"]), bool(body["suspended"]))

    async def read_many(self, user_ids: Collection[str]) -> dict[str, SessionState]:
        wanted = list(user_ids)
        found: dict[str, SessionState] = {}
        for start in range(0, len(wanted), USERS_PER_CALL):
            with answered_by("users"):
                answer = await self._client.post(
                    "/internal/v1/sessions",
                    json={"user_ids": wanted[start : start + USERS_PER_CALL]},
                )
                answer.raise_for_status()
            for user_id, state in answer.json()["sessions"].items():
                found[user_id] = SessionState(int(state["session_epoch"]), bool(state["suspended"]))
        return found

    async def close(self) -> None:
        await self._client.aclose()
