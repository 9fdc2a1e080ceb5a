"""`WS /api/v1/ws` through the gateway: each client's socket is relayed to the trading
service's hub (where prices and account states are), frames and close codes both ways.

The gateway checks the browser origin itself (the service sees the gateway, not the
page); a hub that cannot be reached closes the client with 1013 (try again later), and a
gateway shutting down closes its clients with 1012 (reconnect), as the hub does."""

from __future__ import annotations

import asyncio
from contextlib import suppress

from fastapi import WebSocket, WebSocketDisconnect
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from astratrade.entrypoints.gateway.forward import client_ip
from astratrade.entrypoints.realtime.hub import RESTARTING
from astratrade.entrypoints.realtime.ws_api import BAD_ORIGIN, origin_allowed
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
    websocket: WebSocket, service_url: str, allowed_origins: str, relays: Relays
) -> None:
    if not origin_allowed(websocket, allowed_origins):
        await websocket.close(BAD_ORIGIN, "origin not allowed")
        return
    query = websocket.url.query
    url = service_url.replace("http", "ws", 1) + "/api/v1/ws" + (f"?{query}" if query else "")
    headers = {"x-request-id": correlation.get() or "", "x-forwarded-for": client_ip(websocket)}
    await websocket.accept()
    try:
        upstream = await connect(
            url, additional_headers=headers, open_timeout=5, ping_interval=None, max_queue=None
        )
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
