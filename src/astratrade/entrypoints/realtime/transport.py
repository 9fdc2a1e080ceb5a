"""uvicorn's WebSocket protocol (websockets, sans-I/O) with a synchronous send for the hub.

A price tick goes to thousands of clients. Through ASGI each one costs a task wake-up and
an awaited send; here the hub writes the frame straight to the client's socket when
nothing of theirs is waiting and the socket takes more, as `websockets.broadcast` does.
Anything else (a busy or paused client, another server) takes the queued ASGI path."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame, Opcode
from websockets.protocol import State

SEND_NOW = "astratrade.send_now"  # the scope extension that carries it


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


class DirectSendProtocol(WebSocketsSansIOProtocol):
    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        scope = getattr(self, "scope", None)  # absent when the handshake was refused
        if scope is not None:
            scope["extensions"][SEND_NOW] = self.send_now

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


def send_now_of(scope: Any) -> SendNow | None:
    found: SendNow | None = (scope.get("extensions") or {}).get(SEND_NOW)
    return found
