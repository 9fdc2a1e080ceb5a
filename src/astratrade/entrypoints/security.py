"""HTTP hardening: security headers on every answer, CORS from settings, a cap on request
bodies (413 before a route reads more than the cap), and errors nobody expected answered in
the API's format without details (500 `internal_error`, the traceback in the log)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from astratrade.config import Settings, items
from astratrade.infrastructure.web.http import ServerErrors

HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
# The API answers JSON only: nothing in it may run scripts, be framed or be cached.
API_HEADERS = [
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    (b"cache-control", b"no-store"),
]


ON_API = HEADERS + API_HEADERS  # what an /api answer gets
NAMES, API_NAMES = {n for n, _ in HEADERS}, {n for n, _ in ON_API}  # replaced, not doubled


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra, ours = (ON_API, API_NAMES) if scope["path"].startswith("/api/") else (HEADERS, NAMES)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":  # ours win (a proxied answer has its own)
                kept = [h for h in message.get("headers", []) if h[0].lower() not in ours]
                message["headers"] = [*kept, *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


class BodyTooLarge(HTTPException):
    """Raised as the body streams in. An HTTPException, so that FastAPI's body parsing lets
    it through (it answers any other error while reading the body 400 "error parsing the
    body") and the app's handler answers it 413 in the usual error format."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request bodies are limited to {limit} bytes")


class BodyLimit:
    """413 for a body over `limit` bytes, by its Content-Length or as it streams in."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._too_large(send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        try:
            await self.app(scope, counted, send)
        except BodyTooLarge:  # raised where no exception handler answers it
            await self._too_large(send)

    async def _too_large(self, send: Send) -> None:
        message = BodyTooLarge(self.limit).detail
        body = json.dumps({"error": {"code": "payload_too_large", "message": message}})
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body.encode()})


def harden(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(BodyLimit, limit=settings.max_request_bytes)
    origins = items(settings.cors_origins)
    if origins:
        options: dict[str, Any] = {
            "allow_origins": origins,
            "allow_credentials": False,
            "allow_methods": ["GET", "POST", "PUT", "DELETE"],
            "allow_headers": ["authorization", "content-type"],
        }
        app.add_middleware(CORSMiddleware, **options)
    app.add_middleware(ServerErrors)  # inside the headers: a 500 carries them too
    app.add_middleware(SecurityHeaders)
