"""One client of the hub: what it subscribed to, and what waits to be sent to it (only
while it is behind), bounded; how its messages are serialized."""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from prometheus_client import Counter

from astratrade.entrypoints.realtime.transport import Direct, Encoded, SendNow
from astratrade.infrastructure.tokens import Claims
from astratrade.shared.money import plain

MESSAGES = Counter("astratrade_ws_messages_total", "WebSocket messages sent", ["kind"])
SENT = MESSAGES.labels("event")
DROPPED = Counter("astratrade_ws_slow_disconnects_total", "Clients cut off for falling behind")

OUTBOX = 1_000  # messages a connection may have waiting before it is cut off
TOO_SLOW = 4008


class Connection:
    """One client: what it subscribed to, and what waits to be sent to it.

    Served by the hub itself (`direct`, the server's protocol): a message is written to the
    socket at once while nothing of the client's waits, and what waits -- only while the
    socket is full, i.e. the client is behind -- is written when it takes more again.
    Otherwise (another server, a test) `pump` sends what waits through the awaited
    `send`."""

    __slots__ = (
        "__weakref__",
        "_direct",
        "_latest",
        "_outbox",
        "_ready",
        "_send",
        "_send_now",
        "_sending",
        "aliases",
        "channels",
        "closing",
        "closing_reason",
        "session",
        "user_id",
    )

    def __init__(
        self,
        send: Callable[[str], Awaitable[None]] | None,
        user_id: str,
        send_now: SendNow | None = None,
        session: Claims | None = None,
        direct: Direct | None = None,
    ) -> None:
        self._send = send
        self._direct = direct
        if direct is not None:
            send_now = direct.send_now
            direct.on_writable = self.drain
        self._send_now = send_now  # a synchronous write, when the server offers one
        self._sending = False  # the pump is inside an awaited send
        self.user_id = user_id
        self.session = session  # its access token: the socket lasts as long as it does
        self.channels: set[str] = set()
        self.aliases: dict[str, str] = {}  # hub channel -> another name the client asked for
        self._outbox: deque[Encoded] = deque()
        self._latest: dict[str, Encoded] = {}  # conflated channel -> its newest message
        self._ready = asyncio.Event() if direct is None else None  # wakes the pump
        self.closing: int | None = None  # a close code once it must go
        self.closing_reason = ""

    def offer(
        self, message: dict[str, Any], conflate: bool, encoded: Encoded | None = None
    ) -> bool:
        """Send or queue `message` (`encoded`: it already serialized, when no alias renames
        it). Written at once when nothing of this client's waits; whether it was."""
        channel = message["channel"]
        if encoded is None or channel in self.aliases:
            encoded = Encoded(self._text(message))
        send_now = self._send_now
        if send_now is not None and self._idle() and send_now(encoded):
            return True
        if self.closing is not None:
            return False
        if conflate:
            self._latest[channel] = encoded  # behind: the newest price replaces the last
        elif len(self._outbox) >= OUTBOX:
            DROPPED.inc()
            self.close(TOO_SLOW)
            return False
        else:
            self._outbox.append(encoded)
        self._wake()
        return False

    def _idle(self) -> bool:
        """Nothing of this client's waits or is being sent: a direct write keeps order."""
        return self.closing is None and not (self._outbox or self._latest or self._sending)

    def offer_first(self, messages: list[dict[str, Any]]) -> None:
        """Ahead of whatever waits (a subscription's opening, then what it missed)."""
        encoded = [Encoded(self._text(m)) for m in messages]
        self._outbox.extendleft(reversed(encoded))
        self._wake()

    def _text(self, message: dict[str, Any]) -> str:
        alias = self.aliases.get(message.get("channel", ""))
        if alias is not None:
            message = {**message, "channel": alias}
        return as_json(message)

    def _wake(self) -> None:
        if self._ready is not None:
            self._ready.set()
        else:
            self.drain()  # at once, unless the socket is full (then when it is not)

    def drain(self) -> None:
        """Write what waits while the socket takes it (direct clients only)."""
        send_now, sent = self._send_now, 0
        if send_now is None:
            return
        while self.closing is None and (self._outbox or self._latest):
            if self._outbox:
                if not send_now(self._outbox[0]):
                    break
                self._outbox.popleft()
            else:
                channel = next(iter(self._latest))
                if not send_now(self._latest[channel]):
                    break
                del self._latest[channel]
            sent += 1
        if sent:
            SENT.inc(sent)

    async def pump(self) -> None:
        """Send what waits, in order (conflated prices after the queued messages)."""
        ready, send = self._ready, self._send
        if ready is None or send is None:  # a client the hub serves itself: none needed
            return
        while self.closing is None:
            await ready.wait()
            ready.clear()
            while self.closing is None and (self._outbox or self._latest):
                if self._outbox:
                    encoded = self._outbox.popleft()
                else:
                    _, encoded = self._latest.popitem()
                self._sending = True
                try:
                    await send(encoded.text)
                finally:
                    self._sending = False
                SENT.inc()

    @property
    def heard_at(self) -> float | None:
        """When the client last sent anything (loop time), where the hub serves it."""
        return None if self._direct is None else self._direct.heard_at

    def close(self, code: int, reason: str = "") -> None:
        if self.closing is not None:
            return
        self.closing, self.closing_reason = code, reason
        self._outbox.clear()
        self._latest.clear()
        if self._direct is not None:
            self._direct.close_now(code, reason)
        elif self._ready is not None:
            self._ready.set()


def as_json(data: Any) -> str:
    """Compact JSON with amounts as exact decimal strings, as the HTTP API writes them."""
    return json.dumps(data, separators=(",", ":"), default=_json_value)


def _json_value(value: Any) -> Any:
    """Amounts as exact decimal strings, as the HTTP API writes them."""
    return plain(value) if isinstance(value, Decimal) else str(value)
