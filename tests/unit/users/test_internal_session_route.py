"""The users service's internal routes answering other services' session checks, one user
at a time (a request's check) or many (the WebSocket hub's), and the client of them."""

from __future__ import annotations

import socket
from collections.abc import Collection
from types import SimpleNamespace

import httpx
import pytest
from fastapi import FastAPI

from astratrade.infrastructure.service_calls import SERVICE_KEY_HEADER
from astratrade.infrastructure.web.http import install_error_handlers
from astratrade.shared.errors import Unavailable
from astratrade.users.adapters.http_sessions import USERS_PER_CALL, HttpSessionStates
from astratrade.users.adapters.sessions import SessionGuard
from astratrade.users.api import internal as users_internal
from astratrade.users.ports import SessionState

KEY = "the-service-key"


class KnownStates:
    def __init__(self) -> None:
        self.batches: list[int] = []

    async def read(self, user_id: str) -> SessionState | None:
        return SessionState(3, True) if user_id == "ada" else None

    async def read_many(self, user_ids: Collection[str]) -> dict[str, SessionState]:
        self.batches.append(len(user_ids))
        return {"ada": SessionState(3, True)} if "ada" in user_ids else {}


def users_service(states: KnownStates | None = None) -> httpx.AsyncClient:
    app = FastAPI()
    app.state.settings = SimpleNamespace(service_key=KEY)
    app.state.sessions = SessionGuard(states or KnownStates())
    install_error_handlers(app)
    app.include_router(users_internal.router)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://users")


async def test_a_user_s_session_state_is_answered_to_the_service_key() -> None:
    async with users_service() as client:
        answer = await client.get("/internal/v1/sessions/ada", headers={"X-Service-Key": KEY})
    assert answer.status_code == 200
    assert answer.json() == {"session_epoch": 3, "suspended": True}


async def test_without_the_key_nothing_is_answered() -> None:
    async with users_service() as client:
        missing = await client.get("/internal/v1/sessions/ada")
        wrong = await client.get("/internal/v1/sessions/ada", headers={"X-Service-Key": "guess"})
    assert (missing.status_code, wrong.status_code) == (401, 401)


async def test_an_unknown_user_is_not_found() -> None:
    async with users_service() as client:
        answer = await client.get("/internal/v1/sessions/bob", headers={"X-Service-Key": KEY})
    assert answer.status_code == 404


async def test_many_users_states_are_answered_at_once_unknown_ones_left_out() -> None:
    async with users_service() as client:
        answer = await client.post(
            "/internal/v1/sessions",
            json={"user_ids": ["ada", "bob"]},
            headers={"X-Service-Key": KEY},
        )
        keyless = await client.post("/internal/v1/sessions", json={"user_ids": ["ada"]})
        too_many = await client.post(
            "/internal/v1/sessions",
            headers={"X-Service-Key": KEY},
            json={"user_ids": ["x"] * (USERS_PER_CALL + 1)},
        )
    assert answer.status_code == 200
    assert answer.json() == {"sessions": {"ada": {"session_epoch": 3, "suspended": True}}}
    assert (keyless.status_code, too_many.status_code) == (401, 422)


async def test_the_other_services_read_many_users_in_calls_of_a_thousand() -> None:
    states = KnownStates()
    remote = HttpSessionStates("http://users", KEY, 5.0)
    await remote.close()
    async with users_service(states) as client:
        client.headers[SERVICE_KEY_HEADER] = KEY
        remote._client = client  # the users service's app, in process
        found = await remote.read_many([f"u{n}" for n in range(2_500)] + ["ada"])
        one = await remote.read("ada")
    assert found == {"ada": SessionState(3, True)}
    assert one == SessionState(3, True)
    assert states.batches == [1_000, 1_000, 501]


async def test_a_users_service_that_does_not_answer_fails_the_check_with_503_not_500() -> None:
    """Nothing listens on the port (the users service is down): the session check, and so
    the request that needed it, answers 503 naming users, which the client may retry."""
    with socket.socket() as spare:  # a loopback port nobody listens on once closed
        spare.bind(("127.0.0.1", 0))
        port = spare.getsockname()[1]
    states = HttpSessionStates(f"http://127.0.0.1:{port}", KEY, timeout=1.0)
    try:
        for check in (states.read("ada"), states.read_many(["ada"])):
            with pytest.raises(Unavailable, match="the users service did not answer"):
                await check
    finally:
        await states.close()
