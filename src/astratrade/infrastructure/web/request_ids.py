"""Every request has an id: the caller's `X-Request-ID` (the gateway sends one), else a
new one. It is answered back, and every event the request causes carries it as its
correlation id, down the whole chain of handlers."""

from __future__ import annotations

import os
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from astratrade.shared.messages import correlation

HEADER = b"x-request-id"
ACCEPTED = re.compile(rb"^[A-Za-z0-9._-]{1,64}$")  # fits the events' correlation column


def request_id_of(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == HEADER and ACCEPTED.match(value):
            return str(value.decode())
    return os.urandom(16).hex()  # 128 random bits, as uuid4().hex, at a fifth of its cost


class RequestIds:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        # Kept in the request's state too, for whoever answers after this has returned
        # (the last-resort 500 handler of http.install_error_handlers).
        scope.setdefault("state", {})["request_id"] = request_id

        async def answer(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((HEADER, request_id.encode()))
            await send(message)

        token = correlation.set(request_id)
        try:
            await self.app(scope, receive, answer)
        finally:
            correlation.reset(token)
