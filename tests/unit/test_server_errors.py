"""An error nobody expected is still answered in the API's format: 500
{"error": {"code": "internal_error", "message", "request_id"}}, with the security headers
and the request id, and its traceback in the log under that id — in the platform's app
and in the gateway alike."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from astratrade.config import Settings
from astratrade.entrypoints.gateway import app as gateway_app
from astratrade.entrypoints.gateway import shard_routing
from astratrade.entrypoints.security import harden
from astratrade.infrastructure.web.http import install_error_handlers
from astratrade.infrastructure.web.request_ids import RequestIds

SECRET = "unit-test-secret-that-is-long-enough-for-hs256-0123456789"


def platform_like_app() -> FastAPI:
    """The HTTP plumbing of entrypoints/app.py, in the same order, around failing routes."""
    app = FastAPI()

    @app.get("/api/v1/boom")
    async def boom() -> dict[str, str]:
        raise RuntimeError("the database went away")

    @app.get("/api/v1/fine")
    async def fine() -> dict[str, str]:
        return {"status": "ok"}

    install_error_handlers(app)
    harden(app, Settings(jwt_secret=SECRET))
    app.add_middleware(RequestIds)
    return app


async def call(app: ASGIApp, path: str, **headers: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get(path, headers=headers)


def assert_internal_error(answer: httpx.Response, request_id: str) -> None:
    assert answer.status_code == 500, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == {
        "error": {
            "code": "internal_error",
            "message": "the server failed to answer; quote the request id if you report it",
            "request_id": request_id,
        }
    }
    assert answer.headers["x-request-id"] == request_id
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "database went away" not in answer.text  # details stay in the log


async def test_an_unexpected_error_answers_500_in_the_error_format(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = platform_like_app()
    with caplog.at_level(logging.ERROR):
        answer = await call(app, "/api/v1/boom", **{"X-Request-ID": "req-42"})
    assert_internal_error(answer, "req-42")
    (record,) = [r for r in caplog.records if r.name == "astratrade.infrastructure.web.http"]
    assert "GET /api/v1/boom" in record.getMessage()
    assert record.exc_info is not None
    assert "the database went away" in str(record.exc_info[1])
    # The server keeps going: the next request is answered as usual.
    assert (await call(app, "/api/v1/fine")).json() == {"status": "ok"}


async def test_a_request_without_an_id_gets_one_in_the_500() -> None:
    answer = await call(platform_like_app(), "/api/v1/boom")
    request_id = answer.headers["x-request-id"]
    assert len(request_id) == 32
    assert_internal_error(answer, request_id)


class FailingMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raise RuntimeError("a middleware bug")
        await self.app(scope, receive, send)


async def test_an_error_outside_the_request_handling_is_still_in_the_error_format() -> None:
    app = platform_like_app()
    app.add_middleware(FailingMiddleware)  # outermost: not even the request id ran
    answer = await call(app, "/api/v1/fine")
    assert answer.status_code == 500
    assert answer.json()["error"]["code"] == "internal_error"


@pytest.fixture
def failing_gateway(monkeypatch: pytest.MonkeyPatch) -> FastAPI:
    async def broken_forward(*_args: Any) -> None:
        raise RuntimeError("the upstream answered nonsense")

    monkeypatch.setattr(gateway_app, "forward", broken_forward)
    monkeypatch.setattr(shard_routing, "forward", broken_forward)  # trading's paths
    settings = Settings(jwt_secret=SECRET, embedded=False)
    return gateway_app.create_gateway(settings)


async def test_the_gateway_answers_an_unexpected_error_in_the_error_format(
    failing_gateway: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        answer = await call(failing_gateway, "/api/v1/markets", **{"X-Request-ID": "gw-7"})
    assert_internal_error(answer, "gw-7")
    assert any(r.exc_info and "nonsense" in str(r.exc_info[1]) for r in caplog.records)
