"""The users' HTTP routes over a real bus and a SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from types import SimpleNamespace

import httpx
import pytest
from fastapi import FastAPI

from astratrade.config import Settings
from astratrade.infrastructure.db import create_engine, metadata
from astratrade.infrastructure.web.http import install_error_handlers
from astratrade.infrastructure.writer import writer_for
from astratrade.modules import Infrastructure, register
from astratrade.shared.bus import MessageBus
from astratrade.users import api, wiring
from astratrade.users.adapters.sessions import SessionGuard
from astratrade.users.domain.commands import PromoteUser

ADA = {"email": "ada@example.com", "username": "Ada", "password": "correct horse"}


@pytest.fixture
async def client(tmp_path, publisher, clock, ids, hasher, tokens, ttls) -> AsyncIterator:
    engine = create_engine(f"sqlite:///{tmp_path / 'api.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    bus = MessageBus()
    access_ttl, refresh_ttl = ttls
    settings = Settings(
        data_dir=tmp_path,
        access_token_minutes=int(access_ttl.total_seconds() // 60),
        refresh_token_days=refresh_ttl.days,
    )
    writer = writer_for(str(engine.url), engine)
    infra = Infrastructure(settings, clock, ids, engine, engine, writer, bus, publisher, tokens)
    module = wiring.wire(infra, hasher=hasher)
    register(module, infra)
    sessions = module.port(SessionGuard)
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(api.router)
    app.state.bus, app.state.db, app.state.clock, app.state.tokens = bus, engine, clock, tokens
    app.state.sessions = sessions
    app.state.settings = SimpleNamespace(default_unlocked_leverage=Decimal(10))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        http.bus = bus
        yield http
    await writer.close()
    await engine.dispose()


async def test_register_log_in_and_read_me(client) -> None:
    registered = await client.post("/api/v1/auth/register", json=ADA)
    assert registered.status_code == 201
    user_id = registered.json()["user_id"]
    assert registered.json() == {"user_id": user_id, "username": "Ada"}

    login = await client.post(
        "/api/v1/auth/login", json={"username": "ada", "password": ADA["password"]}
    )
    assert login.status_code == 200
    pair = login.json()
    assert set(pair) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert (pair["token_type"], pair["expires_in"]) == ("bearer", 900)

    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {pair['access_token']}"})
    assert me.status_code == 200
    assert me.json() == {
        "user_id": user_id,
        "username": "Ada",
        "email": "ada@example.com",
        "level": 1,
        "xp": 0,
        "max_leverage": "10",
        "kyc": False,
        "role": "trader",
    }


async def test_log_in_with_an_email_field_and_refresh(client) -> None:
    await client.post("/api/v1/auth/register", json=ADA)
    login = await client.post(
        "/api/v1/auth/login", json={"email": "ADA@example.com", "password": ADA["password"]}
    )
    old = login.json()["refresh_token"]

    renewed = await client.post("/api/v1/auth/refresh", json={"refresh_token": old})
    reused = await client.post("/api/v1/auth/refresh", json={"refresh_token": old})

    assert renewed.status_code == 200
    assert renewed.json()["refresh_token"] != old
    assert reused.status_code == 401
    assert reused.json()["error"]["code"] == "unauthorized"


async def test_wrong_password_and_unknown_user_answer_the_same_401(client) -> None:
    await client.post("/api/v1/auth/register", json=ADA)

    wrong = await client.post(
        "/api/v1/auth/login", json={"username": "Ada", "password": "nope-nope"}
    )
    ghost = await client.post(
        "/api/v1/auth/login", json={"username": "ghost", "password": "nope-nope"}
    )

    assert wrong.status_code == ghost.status_code == 401
    assert wrong.json() == ghost.json()
    assert wrong.json()["error"]["message"] == "invalid username or password"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"username": "Ada", "password": "correct horse"}, 422, "email"),
        ({**ADA, "username": 12345}, 422, "username"),
        ({**ADA, "email": "not-an-email"}, 422, "email"),
        ({**ADA, "username": "a b"}, 422, "username"),
        ({**ADA, "password": "short"}, 422, "password"),
        ({**ADA, "email": "other@example.com", "username": "ADA"}, 409, "username"),
    ],
)
async def test_register_errors_name_the_field(client, body, status, field) -> None:
    await client.post("/api/v1/auth/register", json=ADA)

    response = await client.post("/api/v1/auth/register", json=body)

    assert response.status_code == status
    assert response.json()["error"]["field"] == field
    assert "short" not in response.json()["error"]["message"]


async def test_a_taken_email_answers_as_a_new_sign_up_and_creates_nothing(client) -> None:
    await client.post("/api/v1/auth/register", json=ADA)

    again = await client.post("/api/v1/auth/register", json={**ADA, "username": "other"})
    fresh = {**ADA, "email": "new@example.com", "username": "newer"}
    new = await client.post("/api/v1/auth/register", json=fresh)

    assert again.status_code == new.status_code == 201
    assert set(again.json()) == set(new.json()) == {"user_id", "username"}
    assert again.json()["username"] == "other"
    login = await client.post(
        "/api/v1/auth/login", json={"username": "other", "password": ADA["password"]}
    )
    assert login.status_code == 401  # nothing was created under that name


@pytest.mark.parametrize(
    ("body", "field"),
    [({"password": "correct horse"}, "username"), ({"username": "Ada"}, "password")],
)
async def test_login_needs_a_name_and_a_password(client, body, field) -> None:
    response = await client.post("/api/v1/auth/login", json=body)

    assert response.status_code == 422
    assert response.json()["error"]["field"] == field


async def test_me_needs_a_valid_access_token(client) -> None:
    await client.post("/api/v1/auth/register", json=ADA)
    pair = (await client.post("/api/v1/auth/login", json=ADA)).json()

    missing = await client.get("/api/v1/me")
    refresh_as_access = await client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {pair['refresh_token']}"}
    )

    assert missing.status_code == refresh_as_access.status_code == 401


async def test_a_promoted_user_sees_the_admin_role_after_refresh(client) -> None:
    await client.post("/api/v1/auth/register", json=ADA)
    pair = (await client.post("/api/v1/auth/login", json=ADA)).json()

    await client.bus.execute(PromoteUser(username="ada"))
    renewed = (
        await client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    ).json()
    me = await client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {renewed['access_token']}"}
    )

    assert me.json()["role"] == "admin"
