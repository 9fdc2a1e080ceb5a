"""The users service's internal route answering other services' session checks."""

from __future__ import annotations

from types import SimpleNamespace

import httpx
from fastapi import FastAPI

from astratrade.entrypoints import internal_api
from astratrade.entrypoints.http import install_error_handlers
from astratrade.users.adapters.sessions import SessionGuard
from astratrade.users.ports import SessionState

KEY = "the-service-key"


class KnownStates:
    async def read(self, user_id: str) -> SessionState | None:
        return SessionState(3, True) if user_id == "ada" else None


def users_service() -> httpx.AsyncClient:
    app = FastAPI()
    app.state.settings = SimpleNamespace(service_key=KEY)
    app.state.sessions = SessionGuard(KnownStates())
    install_error_handlers(app)
    app.include_router(internal_api.sessions_router)
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
