"""`WS /api/v1/ws` through the gateway: each client's socket is relayed to a hub, frames
and close codes both ways: to a realtime replica where the deployment runs the realtime
service (`realtime_replicas.py`: the trader's own, or the next live one), else to the hub
of the trading replica that writes the trader's accounts.

The trader is known by their access token, in `?token=` or in the first message
(`{"type": "auth", "token": ...}` within 5 s): the gateway reads it to pick the replica,
then relays that first message on, and the hub signs the socket in as it always does (a
token the gateway cannot verify goes to any replica, whose hub refuses it properly).
The gateway checks the browser origin itself (the service sees the gateway, not the
page); a hub that cannot be reached closes the client with 1013 (try again later), a hub
that goes away without a word (its process died) and a gateway shutting down close it
with 1012 (reconnect), as a hub shutting down does."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from contextlib import suppress

from fastapi import WebSocket, WebSocketDisconnect
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.frames import CloseCode

from astratrade.entrypoints.gateway.forward import client_ip
from astratrade.entrypoints.gateway.realtime_replicas import RealtimeReplicas
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


# Where a trader's socket may go, in the order to try them.
Candidates = Callable[[str | None], Awaitable[list[str]]]


def by_shard(routes: Routes) -> Candidates:
    """The trading replica writing the trader's shard (NoHolder during a failover)."""

    async def candidates(user_id: str | None) -> list[str]:
        return [await replica_for(routes, user_id)]

    return candidates


def over_realtime(replicas: RealtimeReplicas) -> Candidates:
    async def candidates(user_id: str | None) -> list[str]:
        return replicas.order_for(user_id)

    return candidates


async def relay(
    websocket: WebSocket,
    candidates: Candidates,
    tokens: TokenCodec,
    allowed_origins: str,
    relays: Relays,
    replicas: RealtimeReplicas | None = None,
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
        found = await candidates(_user_of(tokens, token))
    except NoHolder as none:
        await websocket.close(TRY_AGAIN_LATER, f"shard {none.shard} has no replica now")
        return
    upstream = await _open(websocket, found, first, replicas)
    if upstream is None:
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
        code, reason = upstream.close_code, upstream.close_reason or ""
        if code in (None, CloseCode.ABNORMAL_CLOSURE):  # the hub's process is gone
            code, reason = RESTARTING, "live service restarting; reconnect"
        with suppress(Exception):
            await websocket.close(code, reason)
    finally:
        relays.open.discard(websocket)


async def _open(
    websocket: WebSocket, found: list[str], first: str | None, replicas: RealtimeReplicas | None
) -> ClientConnection | None:
    """The socket to the first of `found` that takes it (the sign-in message relayed)."""
    query = websocket.url.query
    headers = {"x-request-id": correlation.get() or "", "x-forwarded-for": client_ip(websocket)}
    for replica in found:
        url = replica.replace("http", "ws", 1) + "/api/v1/ws" + (f"?{query}" if query else "")
        try:
            upstream = await connect(
                url, additional_headers=headers, open_timeout=5, ping_interval=None, max_queue=None
            )
            if first is not None:
                await upstream.send(first)
        except (OSError, TimeoutError, Exception):
            if replicas is not None:
                replicas.failed(replica)
            continue
        if replicas is not None:
            replicas.reached(replica)
        return upstream
    return None


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
