"""`WS /api/v1/ws`: live channels for a signed-in client.

Authenticate with `?token=<access token>` or a first message `{"type": "auth", "token"}`
(within 5 s). Then `{"type": "subscribe", "channel": "...", "since": <seq>?}` and
`{"type": "unsubscribe", "channel": "..."}`; `{"type": "ping"}` answers `pong`. Close codes:
4001 not signed in, or no longer (the token expired, or its session ended: the reason
says which; see `socket_sessions`), 4003 origin not allowed, 4008 too slow, 4029 too many
connections, 1012 server restarting (reconnect), 1000 silent for 120 s (not even a pong).
Under `astratrade serve` the socket is handed to the hub once signed in (`transport.py`);
elsewhere this route's task serves it to the end."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.websockets import WebSocketState

from astratrade.config import items
from astratrade.entrypoints.realtime.candle_feed import candle_channel, may_watch_more
from astratrade.entrypoints.realtime.feeds import Feeds, price, replays, user_channel
from astratrade.entrypoints.realtime.hub import IDLE_SECONDS, NOT_SIGNED_IN, Connection, Hub
from astratrade.entrypoints.realtime.inbox import Inbox
from astratrade.entrypoints.realtime.socket_sessions import SocketSessions
from astratrade.entrypoints.realtime.transport import Direct, direct_of
from astratrade.entrypoints.realtime.views import BOARDS
from astratrade.infrastructure.tokens import Claims
from astratrade.infrastructure.web.deps import verified
from astratrade.shared.errors import DomainError, NotFound, Unauthorized
from astratrade.shared.text import text_problem, text_problems

router = APIRouter()
AUTH_SECONDS = 5.0
BAD_ORIGIN, TOO_MANY = 4003, 4029
USER_CHANNELS = ("orders", "positions", "progression")


@router.websocket("/api/v1/ws")
async def live(websocket: WebSocket) -> None:
    state = websocket.app.state
    hub: Hub = state.hub
    if not origin_allowed(websocket, state.settings.cors_origins):
        await websocket.close(BAD_ORIGIN, "origin not allowed")
        return
    await websocket.accept()
    session = await _sign_in(websocket)
    if session is None:
        return
    user_id = session.user_id
    most = state.settings.ws_max_connections_per_user
    if hub.count_of(user_id) >= most:
        await websocket.close(TOO_MANY, f"at most {most} connections per user")
        return
    direct = direct_of(websocket.scope)
    if direct is not None:  # uvicorn with our protocol: the hub serves the socket itself
        _hand_over(direct, hub, session, state.feeds, state.socket_sessions)
        return
    connection = Connection(websocket.send_text, user_id, None, session)
    hub.join(connection)
    pump = asyncio.create_task(connection.pump())
    listen = asyncio.create_task(
        _listen(websocket, connection, hub, state.feeds, state.socket_sessions)
    )
    try:
        await asyncio.wait({pump, listen}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        hub.leave(connection)
        for task in (pump, listen):
            task.cancel()
            with suppress(asyncio.CancelledError, Exception):
                await task
        if websocket.client_state is WebSocketState.CONNECTED:
            with suppress(Exception):
                await websocket.close(connection.closing or 1000, connection.closing_reason)


def _hand_over(
    direct: Direct, hub: Hub, session: Claims, feeds: Feeds, sessions: SocketSessions
) -> None:
    """The socket is the hub's from now on: the app's task (and its middleware) ends, and
    the client's messages are answered by an inbox that runs only while some wait."""
    connection = Connection(None, session.user_id, session=session, direct=direct)

    async def answer(raw: str | bytes) -> bool:
        try:
            message = json.loads(raw) if isinstance(raw, str) else None
        except json.JSONDecodeError:
            message = None
        return await _answer(message, connection, hub, feeds, sessions)

    def gone() -> None:
        inbox.stop()
        hub.leave(connection)

    inbox = Inbox(answer, direct.read_on, lambda: connection.close(1000))
    hub.join(connection)
    if not direct.take_over(inbox.received, gone):
        gone()


def origin_allowed(websocket: WebSocket, allowed: str) -> bool:
    origin = websocket.headers.get("origin")
    if origin is None:  # not a browser: a native or server client
        return True
    host = websocket.headers.get("host", "")
    same = origin.split("://", 1)[-1] == host
    return same or origin in items(allowed)


async def _sign_in(websocket: WebSocket) -> Claims | None:
    token = websocket.query_params.get("token")
    try:
        if token is None:
            first = await asyncio.wait_for(websocket.receive_json(), AUTH_SECONDS)
            token = first.get("token") if isinstance(first, dict) else None
        if not isinstance(token, str) or not token or text_problem(token) is not None:
            raise Unauthorized('send {"type": "auth", "token": <access token>} first')
        return await verified(websocket, token)
    except (Unauthorized, TimeoutError, json.JSONDecodeError, WebSocketDisconnect) as error:
        message = getattr(error, "message", "sign in with an access token")
        with suppress(Exception):
            await websocket.send_json({"type": "error", "code": "unauthorized", "message": message})
            await websocket.close(NOT_SIGNED_IN, "not signed in")
        return None


async def _listen(
    websocket: WebSocket, connection: Connection, hub: Hub, feeds: Feeds, sessions: SocketSessions
) -> None:
    while connection.closing is None:
        try:
            async with asyncio.timeout(IDLE_SECONDS):
                message = await websocket.receive_json()
        except (WebSocketDisconnect, TimeoutError):
            return
        except (json.JSONDecodeError, KeyError, TypeError):
            message = None
        if not await _answer(message, connection, hub, feeds, sessions):
            return


async def _answer(
    message: Any, connection: Connection, hub: Hub, feeds: Feeds, sessions: SocketSessions
) -> bool:
    """Answer one message of the client's (None: not JSON); False once its session ended."""
    if not await sessions.stands(connection):  # whatever it sent: not served any more
        return False
    if message is None:
        connection.offer_first([_error("bad_message", "messages are JSON objects")])
        return True
    problem = next(text_problems(message), None)
    if problem is not None:  # it would reach the database as a channel's key
        where, why = problem
        connection.offer_first([_error("bad_message", f"{'.'.join(map(str, where))}: {why}")])
        return True
    kind = message.get("type") if isinstance(message, dict) else None
    if kind == "ping":
        connection.offer_first([{"type": "pong"}])
    elif kind in ("subscribe", "unsubscribe"):
        try:
            name, snapshot = await _channel(
                str(message.get("channel", "")), connection.user_id, feeds
            )
            if kind == "subscribe" and name.startswith("candles:"):
                may_watch_more(connection.channels, name)
        except DomainError as error:
            connection.offer_first([_error(error.code, error.message)])
            return True
        if kind == "unsubscribe":
            hub.unsubscribe(connection, name)
            return True
        if connection.closing is not None:  # it went while the channel was looked up
            return False
        since = message.get("since") if replays(name) else None
        await hub.subscribe(
            connection,
            name,
            since if isinstance(since, int) else None,
            snapshot,
            alias=str(message.get("channel")),
        )
    else:
        connection.offer_first([_error("bad_message", f"unknown message type {kind!r}")])
    return True


Snapshot = Callable[[], Awaitable[Any]] | None


async def _channel(name: str, user_id: str, feeds: Feeds) -> tuple[str, Snapshot]:
    """The hub's channel for what the client asked, and how to read it now; another
    user's account is not found, as over HTTP."""
    kind, _, key = name.partition(":")
    if name in USER_CHANNELS:
        reads = {
            "orders": feeds.open_orders_of,
            "positions": feeds.positions_of,
            "progression": feeds.views.progression_of,
        }
        return user_channel(name, user_id), lambda: reads[name](user_id)
    if kind == "prices" and key in feeds.markets:

        async def quote() -> Any:
            return price(feeds.quote(key))

        return name, quote
    if kind == "candles" and feeds.candles is not None:
        candles = feeds.candles
        market, interval = candle_channel(name, feeds.markets)
        return name, lambda: candles.snapshot(market, interval)
    if kind == "account" and key and await feeds.owner_of(key) == user_id:
        return name, lambda: feeds.account(key)
    if name in BOARDS:
        return name, lambda: feeds.views.board_top(name)
    if kind == "copy" and key and feeds.copies is not None:
        return await feeds.copies.channel(user_id, key)  # NotFound: not the caller's copy
    if name == "leader" and feeds.copies is not None:
        return feeds.copies.leader(user_id)
    if name == "feed" and feeds.social is not None:
        social = feeds.social
        return f"feed:{user_id}", lambda: social.snapshot(user_id)
    if kind == "tournament" and key:
        board = await feeds.views.tournament_top(key)  # NotFound for an unknown one

        async def standings() -> Any:
            return board

        return name, standings
    raise NotFound(f"no channel {name!r} for you")


def _error(code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message}
