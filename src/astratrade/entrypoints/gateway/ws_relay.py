"""`WS /api/v1/ws` through the gateway: each client's socket is relayed to the hub of the
trading replica that writes the trader's accounts (where their account states are), frames
and close codes both ways.

The trader is known by their access token, in `?token=` or in the first message
(`{"type": "auth", "token": ...}` within 5 s): the gateway reads it to pick the replica,
then relays that first message on, and the hub signs the socket in as it always does (a
token the gateway cannot verify goes to any replica, whose hub refuses it properly).
The gateway checks the browser origin itself (the service sees the gateway, not the
page); a hub that cannot be reached closes the client with 1013 (try again later), and a
gateway shutting down closes its clients with 1012 (reconnect), as the hub does."""

from __future__ import annotations

import asyncio
import json
from contextlib import suppress

from fastapi import WebSocket, WebSocketDisconnect
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from astratrade.entrypoints.gateway.forward import client_ip
from astratrade.entrypoints.gateway.shard_routing import replica_for
from astratrade.entrypoints.realtime.hub import NOT_SIGNED_IN, RESTARTING
from astratrade.entrypoints.realtime.ws_api import AUTH_SECONDS, BAD_ORIGIN, origin_allowed
from astratrade.infrastructure.shard_map import NoHolder, Routes
from astratrade.infrastructure.tokens import TokenCodec
from astratrade.shared.errors import Unauthorized
from astratrade.shared.messages import correlation

TRY_AGAIN_LATER = 1013


class Relays:
    """The open client sockets, so a shutdown can tell each one to reconnect."""

    def __init__(self) -> None:
        self.open: set[WebSocket] = set()

    async def close_all(self) -> None:
        for websocket in list(self.open):
            with suppress(Exception):
                await websocket.close(RESTARTING, "gateway restarting")


async def relay(
    websocket: WebSocket,
    routes: Routes,
    tokens: TokenCodec,
    allowed_origins: str,
    relays: Relays,
) -> None:
    if not origin_allowed(websocket, allowed_origins):
        await websocket.close(BAD_ORIGIN, "origin not allowed")
        return
    await websocket.accept()
    first = None
    token = websocket.query_params.get("token")
    if token is None:
        try:
            first = await asyncio.wait_for(websocket.receive_text(), AUTH_SECONDS)
        except (TimeoutError, WebSocketDisconnect, KeyError):
            await _not_signed_in(websocket)
            return
        token = _token_in(first)
    try:
        replica = await replica_for(routes, _user_of(tokens, token))
    except NoHolder as none:
        await websocket.close(TRY_AGAIN_LATER, f"shard {none.shard} has no replica now")
        return
    query = websocket.url.query
    url = replica.replace("http", "ws", 1) + "/api/v1/ws" + (f"?{query}" if query else "")
    headers = {"x-request-id": correlation.get() or "", "x-forwarded-for": client_ip(websocket)}
    try:
        upstream = await connect(
            url, additional_headers=headers, open_timeout=5, ping_interval=None, max_queue=None
        )
        if first is not None:
            await upstream.send(first)
    except (OSError, TimeoutError, Exception):
        await websocket.close(TRY_AGAIN_LATER, "live service unavailable; reconnect shortly")
        return
    relays.open.add(websocket)
    try:
        async with upstream:
            up = asyncio.create_task(_to_service(websocket, upstream))
            down = asyncio.create_task(_to_client(websocket, upstream))
            await asyncio.wait({up, down}, return_when=asyncio.FIRST_COMPLETED)
            for task in (up, down):
                task.cancel()
                with suppress(asyncio.CancelledError, Exception):
                    await task
        code = upstream.close_code or TRY_AGAIN_LATER
        with suppress(Exception):
            await websocket.close(code, upstream.close_reason or "")
    finally:
        relays.open.discard(websocket)


async def _to_service(websocket: WebSocket, upstream: ClientConnection) -> None:
    with suppress(WebSocketDisconnect, ConnectionClosed):
        while True:
            await upstream.send(await websocket.receive_text())


async def _to_client(websocket: WebSocket, upstream: ClientConnection) -> None:
    with suppress(ConnectionClosed):
        async for message in upstream:
            await websocket.send_text(message if isinstance(message, str) else message.decode())


def _token_in(first: str) -> str | None:
    try:
        message = json.loads(first)
    except ValueError:
        return None
    token = message.get("token") if isinstance(message, dict) else None
    return token if isinstance(token, str) else None


def _user_of(tokens: TokenCodec, token: str | None) -> str | None:
    """The trader the token names, if it is a valid access token."""
    if not token:
        return None
    try:
        return tokens.verify(token, "access").user_id
    except Unauthorized:
        return None


async def _not_signed_in(websocket: WebSocket) -> None:
    """As the hub answers a socket that does not sign in in time."""
    with suppress(Exception):
        message = "sign in with an access token"
        await websocket.send_json({"type": "error", "code": "unauthorized", "message": message})
        await websocket.close(NOT_SIGNED_IN, "not signed in")
