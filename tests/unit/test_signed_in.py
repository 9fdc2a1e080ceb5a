"""A route that needs the caller and counts an action (`signed_in("orders")`): the request
is counted first — against the IP, and the user once the token is verified — so a flood
answers 429 whatever its tokens; then a missing or bad token answers 401. In OpenAPI the
route asks for the bearer token as every signed-in route does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Annotated

import httpx
import pytest
from fastapi import FastAPI

from astratrade.infrastructure.rate_limits import RateLimits
from astratrade.infrastructure.tokens import Claims, TokenCodec
from astratrade.infrastructure.web.deps import CurrentUser, signed_in
from astratrade.infrastructure.web.http import install_error_handlers
from astratrade.shared.clock import ManualClock

SECRET = "unit-test-secret-that-is-long-enough-for-hs256-0123456789"
RULES = {"orders:user": "2/minute", "orders:ip": "5/minute"}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/orders")
    async def place(user: Annotated[Claims, signed_in("orders")]) -> dict[str, str]:
        return {"user": user.user_id}

    @app.get("/me")
    async def me(user: CurrentUser) -> dict[str, str]:
        return {"user": user.user_id}

    clock = ManualClock(datetime(2025, 1, 6, 9, 0, tzinfo=UTC))
    app.state.tokens = TokenCodec(SECRET, "astratrade", clock)
    app.state.rate_limits = RateLimits(RULES)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        http.app = app  # type: ignore[attr-defined]
        yield http


def bearer(client: httpx.AsyncClient, user_id: str) -> dict[str, str]:
    token = client.app.state.tokens.issue(  # type: ignore[attr-defined]
        user_id=user_id, role="trader", kind="access", token_id=user_id, ttl=timedelta(minutes=15)
    )
    return {"Authorization": f"Bearer {token}"}


async def test_a_signed_in_caller_is_counted_as_themselves(client) -> None:
    ann, bob = bearer(client, "ann"), bearer(client, "bob")
    answers = [await client.post("/orders", headers=ann) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[0].json() == {"user": "ann"}
    assert answers[2].json()["error"]["code"] == "rate_limited"
    assert int(answers[2].headers["Retry-After"]) >= 1
    assert (await client.post("/orders", headers=bob)).status_code == 200  # bob's own count


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "missing bearer token"),
        ({"Authorization": "Basic YW5uOnB3"}, "missing bearer token"),
        ({"Authorization": "Bearer not-a-jwt"}, "invalid token"),
    ],
)
async def test_without_a_valid_token_401_after_the_ip_counted(client, headers, message) -> None:
    answers = [await client.post("/orders", headers=headers) for _ in range(6)]

    assert [a.status_code for a in answers] == [401] * 5 + [429]  # the IP's five, then none
    assert answers[0].json()["error"]["message"] == message
    assert answers[0].json()["error"]["code"] == "unauthorized"


async def test_an_expired_token_is_refused_once_counted(client) -> None:
    ann = bearer(client, "ann")
    client.app.state.tokens._clock.advance(15 * 60)  # type: ignore[attr-defined]

    answer = await client.post("/orders", headers=ann)

    assert answer.status_code == 401
    assert answer.json()["error"]["message"] == "token has expired"


async def test_openapi_names_the_bearer_scheme_for_both_kinds_of_route(client) -> None:
    schema = client.app.openapi()  # type: ignore[attr-defined]

    assert schema["components"]["securitySchemes"] == {
        "HTTPBearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "access token from /api/v1/auth/login",
        }
    }
    assert schema["paths"]["/orders"]["post"]["security"] == [{"HTTPBearer": []}]
    assert schema["paths"]["/me"]["get"]["security"] == [{"HTTPBearer": []}]
