"""The server's WebSocket protocol handing a signed-in socket to the hub, over an in-memory
transport: messages that came before the hand-over are passed on first, the socket stays
open once the app returns, frames are written synchronously until the socket is full, the
hub hears when it takes more, closes it with a code of its own, and is told of its end.
And an inbox answers a client's messages one at a time, in order."""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.config import Config
from uvicorn.server import ServerState
from websockets.client import ClientProtocol
from websockets.frames import Close, Opcode
from websockets.uri import parse_uri

from astratrade.entrypoints.realtime.inbox import WAITING, Inbox
from astratrade.entrypoints.realtime.transport import DirectSendProtocol, Encoded, direct_of


class Transport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.out = bytearray()
        self.closed = False
        self.reading = True

    def write(self, data: Any) -> None:
        self.out += data

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def pause_reading(self) -> None:
        self.reading = False

    def resume_reading(self) -> None:
        self.reading = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default


class Hub:
    """The app's side: accepts, waits to be told, then takes the socket over."""

    def __init__(self) -> None:
        self.go = asyncio.Event()
        self.received: list[str | bytes] = []
        self.gone = False
        self.returned = asyncio.Event()

    async def app(self, scope: Any, receive: Any, send: Any) -> None:
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})
        await self.go.wait()
        direct = direct_of(scope)
        assert direct is not None
        assert direct.take_over(self.took, self.went)
        self.returned.set()

    def took(self, message: str | bytes) -> bool:
        self.received.append(message)
        return True

    def went(self) -> None:
        self.gone = True


async def test_a_socket_taken_over_is_served_without_the_app() -> None:
    hub = Hub()
    config = Config(hub.app, interface="asgi3", log_config=None, ws_ping_interval=None)
    config.load()
    protocol = DirectSendProtocol(config, ServerState(), {}, _loop=asyncio.get_running_loop())
    transport = Transport()
    protocol.connection_made(transport)
    client = ClientProtocol(parse_uri("ws://test/api/v1/ws"))
    client.send_request(client.connect())
    protocol.data_received(b"".join(client.data_to_send()))
    for _ in range(5):
        await asyncio.sleep(0)
    client.receive_data(bytes(transport.out))
    transport.out.clear()
    assert client.events_received()[0].status_code == 101  # type: ignore[union-attr]

    client.send_text(b'{"type":"subscribe"}')
    client.send_text(b'{"type":"ping"}')  # both while the app still signs in
    protocol.data_received(b"".join(client.data_to_send()))
    hub.go.set()
    await hub.returned.wait()
    for _ in range(5):
        await asyncio.sleep(0)
    assert hub.received == ['{"type":"subscribe"}', '{"type":"ping"}']
    assert (transport.closed, transport.reading) == (False, True)  # the app returned; open

    client.send_text(b"later")
    protocol.data_received(b"".join(client.data_to_send()))
    assert hub.received[-1] == "later"

    assert protocol.send_now(Encoded('{"n":1}'))
    protocol.pause_writing()  # the socket is full
    assert not protocol.send_now(Encoded('{"n":2}'))
    woken: list[bool] = []
    protocol.on_writable = lambda: woken.append(True)
    protocol.resume_writing()
    assert woken == [True]

    protocol.close_now(4008, "")
    client.receive_data(bytes(transport.out))
    frames = client.events_received()
    assert [f.data for f in frames if f.opcode is Opcode.TEXT] == [b'{"n":1}']  # type: ignore[union-attr]
    assert Close.parse(frames[-1].data).code == 4008  # type: ignore[union-attr]
    assert not hub.gone
    protocol.connection_lost(None)
    assert hub.gone


async def test_an_inbox_answers_in_order_one_at_a_time_and_stops_with_its_socket() -> None:
    answered: list[str | bytes] = []
    at_once = 0
    running = 0
    read_on: list[bool] = []

    async def answer(message: str | bytes) -> bool:
        nonlocal at_once, running
        running += 1
        at_once = max(at_once, running)
        await asyncio.sleep(0)
        answered.append(message)
        running -= 1
        return message != "last"

    inbox = Inbox(answer, lambda: read_on.append(True), lambda: None)
    more = [inbox.received(str(n)) for n in range(WAITING)]
    assert more == [True] * (WAITING - 1) + [False]  # enough wait: the socket is not read on
    for _ in range(100):
        await asyncio.sleep(0)
    assert answered == [str(n) for n in range(WAITING)]
    assert (at_once, read_on) == (1, [True])  # all answered: the socket is read again

    inbox.received("last")
    inbox.received("never")  # an answer said stop: what follows is not answered
    for _ in range(10):
        await asyncio.sleep(0)
    assert answered[-1] == "last"
