"""uvicorn's WebSocket protocol (websockets, sans-I/O) with a synchronous send for the hub,
and a hand-over: once signed in, the hub serves the socket without an ASGI task.

A price tick goes to thousands of clients. Through ASGI each one costs a task wake-up and
an awaited send; here the hub writes the frame straight to the client's socket when
nothing of theirs is waiting and the socket takes more, as `websockets.broadcast` does.

An ASGI WebSocket app holds its coroutine, and the whole middleware stack's, for as long as
the socket is open: at thousands of idle sockets, most of their memory. Once the app has
signed the client in it takes the socket over (`take_over`) and returns; the protocol then
stays open, hands each message the client sends to the hub, and tells it when the socket
closes. The handshake, the sign-in and every refusal still go through the app.
Anything else (another server, a test client) takes the queued ASGI path."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any, Protocol

from uvicorn.protocols.utils import ClientDisconnected
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame, Opcode
from websockets.protocol import State

DIRECT = "astratrade.direct"  # the scope extension that carries the protocol


class Encoded:
    """A message serialized once for every client: its UTF-8 bytes, and the whole text
    frame for clients without extensions (server frames are not masked, so theirs are the
    same bytes)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.payload = text.encode()

    @cached_property
    def frame(self) -> bytes:
        return Frame(Opcode.TEXT, self.payload).serialize(mask=False, extensions=[])


SendNow = Callable[[Encoded], bool]
Received = Callable[[str | bytes], bool]  # a client's message; False: read no more for now


class Direct(Protocol):
    """What the hub needs of a socket it serves itself."""

    heard_at: float  # the event loop's time of the client's last bytes (pongs too)
    on_writable: Callable[[], None] | None  # called when the socket takes more again

    def send_now(self, message: Encoded) -> bool: ...

    def close_now(self, code: int, reason: str) -> None: ...

    def read_on(self) -> None: ...

    def take_over(self, received: Received, closed: Callable[[], None]) -> bool: ...


class DirectSendProtocol(WebSocketsSansIOProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.heard_at = self.loop.time()
        self.on_writable: Callable[[], None] | None = None
        self._received: Received | None = None  # set once taken over
        self._closed: Callable[[], None] | None = None

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        scope = getattr(self, "scope", None)  # absent when the handshake was refused
        if scope is not None:
            scope["extensions"][DIRECT] = self

    def send_now(self, message: Encoded) -> bool:
        """Write one text frame now if the connection is open and its socket not paused;
        False means it was not sent (queue it)."""
        if self.close_sent or not self.writable.is_set() or self.transport.is_closing():
            return False
        if self.conn.state is not State.OPEN:
            return False
        if self.conn.extensions:  # e.g. per-message deflate: a frame of its own
            self.conn.send_text(message.payload)
            self.transport.write(b"".join(self.conn.data_to_send()))
        else:
            self.transport.write(message.frame)
        return True

    def take_over(self, received: Received, closed: Callable[[], None]) -> bool:
        """From now on the client's messages go to `received` and its going to `closed`;
        the app may return without the socket closing. Messages that came while the app
        signed the client in are handed over first. False: the socket is already gone."""
        if self.disconnected or self.close_sent or self.transport.is_closing():
            return False
        self._received, self._closed = received, closed
        self.request = self.response = None  # type: ignore[assignment]  # the handshake's
        queue, self.queue = self.queue, _NoApp()  # type: ignore[assignment]
        while not queue.empty():
            event: Any = queue.get_nowait()
            if event["type"] == "websocket.receive":
                text = event.get("text")
                received(text if text is not None else event.get("bytes") or b"")
        self.read_on()
        return True

    def close_now(self, code: int, reason: str) -> None:
        """Start the closing handshake, as the app's `websocket.close` does."""
        if self.close_sent or self.transport.is_closing():
            return
        self.conn.send_close(code, reason)
        self.transport.write(b"".join(self.conn.data_to_send()))
        self.close_sent = True
        self.read_on()  # for the client's closing frame
        self.close_timer = self.loop.call_later(self.close_timeout, self.transport.close)

    def read_on(self) -> None:
        if self.read_paused:
            self.read_paused = False
            self.transport.resume_reading()

    # uvicorn's hooks, told apart once the socket is taken over

    def data_received(self, data: bytes) -> None:
        self.heard_at = self.loop.time()
        super().data_received(data)

    def send_receive_event_to_app(self) -> None:
        received = self._received
        if received is None:
            super().send_receive_event_to_app()
            return
        data = self.frames[0] if len(self.frames) == 1 else b"".join(self.frames)
        self.frames = []
        if self.close_sent:
            return  # closing: the client's messages are not served any more
        message: str | bytes = data
        if self.curr_msg_data_type == "text":
            try:
                message = data.decode()
            except UnicodeDecodeError:
                self.conn.send_close(1007)
                self.handle_parser_exception()
                return
        if not received(message) and not self.read_paused:
            self.read_paused = True
            self.transport.pause_reading()

    def resume_writing(self) -> None:
        super().resume_writing()
        if self.on_writable is not None:
            self.on_writable()

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        closed, self._closed, self._received, self.on_writable = self._closed, None, None, None
        if closed is not None:
            closed()

    async def run_asgi(self) -> None:
        """uvicorn's, except that a socket the app took over stays open after it returns."""
        try:
            result = await self.app(self.scope, self.receive, self.send)
        except ClientDisconnected:
            pass
        except BaseException:
            self.logger.exception("Exception in ASGI application\n")
            self.send_500_response()
        else:
            if not self.handshake_complete:
                self.logger.error("ASGI callable returned without completing handshake.")
                self.send_500_response()
            elif result is not None:
                self.logger.error("ASGI callable should return None, but returned '%s'.", result)
        if self._received is not None and not self.transport.is_closing():
            self.scope = None  # type: ignore[assignment]  # the app's, and done with
            return
        if self.close_timer is None:
            self.transport.close()


class _NoApp:
    """The ASGI receive queue of a socket taken over: nobody reads it (the hub is told of
    messages and the socket's end directly), so what uvicorn puts there is dropped (an
    asyncio.Queue is a good part of an idle socket's memory)."""

    __slots__ = ()

    def put_nowait(self, _event: Any) -> None:
        return None


def direct_of(scope: Any) -> Direct | None:
    found: Direct | None = (scope.get("extensions") or {}).get(DIRECT)
    return found
