"""Social's HTTP API on a whole platform (the integration `platform` fixture: SQLite or
PostgreSQL), through the app the platform serves, without a network."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from astratrade.entrypoints.app import create_app
from astratrade.platform import Platform
from astratrade.users.domain.commands import PromoteUser

API = "/api/v1"
PASSWORD = "correct horse"


class Api:
    """Signs people up and in; `as_(name)` sends their requests."""

    def __init__(self, http: httpx.AsyncClient, platform: Platform) -> None:
        self.http = http
        self.platform = platform
        self.tokens: dict[str, str] = {}
        self.ids: dict[str, str] = {}

    async def sign_up(self, *names: str, admin: bool = False) -> None:
        for name in names:
            answer = await self.http.post(
                f"{API}/auth/register",
                json={"email": f"{name}@example.com", "username": name, "password": PASSWORD},
            )
            assert answer.status_code == 201, answer.text
            self.ids[name] = answer.json()["user_id"]
            if admin:
                await self.platform.bus.execute(PromoteUser(username=name))
            await self.log_in(name)
        await self.platform.backbone.drain()  # profiles open from the sign-up events

    async def log_in(self, name: str) -> None:
        answer = await self.http.post(
            f"{API}/auth/login", json={"username": name, "password": PASSWORD}
        )
        assert answer.status_code == 200, answer.text
        self.tokens[name] = answer.json()["access_token"]

    async def call(self, name: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[name]}"}
        answer = await self.http.request(method, f"{API}{path}", headers=headers, **kwargs)
        await self.platform.backbone.drain()
        return answer


@pytest.fixture
async def api(platform: Platform) -> AsyncIterator[Api]:
    app = create_app(platform, metrics=False)  # the platform fixture runs its lifespan
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield Api(http, platform)


def error_of(answer: httpx.Response, status: int) -> dict[str, Any]:
    assert answer.status_code == status, (answer.status_code, answer.text)
    error: dict[str, Any] = answer.json()["error"]
    return error
