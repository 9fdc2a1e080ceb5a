"""The WebSocket hub: channels with sequence numbers and a replay buffer, and connections
with bounded outboxes.

Each channel numbers its messages; a client that reconnects with `since` gets what it
missed while the buffer still holds it, else a fresh snapshot. A connection's outbox is
bounded: price updates are conflated (the latest per market wins), and a client that falls
further behind than the bound is disconnected (close code 4008) instead of slowing anyone
else. Publishing never awaits a client."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from prometheus_client import Counter, Gauge

from astratrade.entrypoints.realtime.transport import Encoded, SendNow
from astratrade.infrastructure.tokens import Claims
from astratrade.shared.money import plain

logger = logging.getLogger(__name__)

CONNECTIONS = Gauge("astratrade_ws_connections", "Open WebSocket connections")
MESSAGES = Counter("astratrade_ws_messages_total", "WebSocket messages sent", ["kind"])
SENT = MESSAGES.labels("event")
DROPPED = Counter("astratrade_ws_slow_disconnects_total", "Clients cut off for falling behind")

REPLAY = 512  # messages a channel keeps for clients that resume
OUTBOX = 1_000  # messages a connection may have waiting before it is cut off
NOT_SIGNED_IN, TOO_SLOW, RESTARTING = 4001, 4008, 1012

Snapshot = Callable[[], Awaitable[Any]]


@dataclass
class Channel:
    name: str
    seq: int = 0
    recent: deque[tuple[int, Any]] = field(default_factory=lambda: deque(maxlen=REPLAY))
    members: set[Connection] = field(default_factory=set)


class Connection:
    """One client: what it subscribed to, its outbox, and the task that drains it."""

    def __init__(
        self,
        send: Callable[[str], Awaitable[None]],
        user_id: str,
        send_now: SendNow | None = None,
        session: Claims | None = None,
    ) -> None:
        self._send = send
        self._send_now = send_now  # a synchronous write, when the server offers one
        self._sending = False  # the pump is inside an awaited send
        self.user_id = user_id
        self.session = session  # its access token: the socket lasts as long as it does
        self.channels: set[str] = set()
        self.aliases: dict[str, str] = {}  # hub channel -> the name the client asked for
        self._outbox: deque[str] = deque()
        self._latest: dict[str, str] = {}  # conflated channel -> its newest message
        self._ready = asyncio.Event()
        self.closing: int | None = None  # a close code once it must go
        self.closing_reason = ""

    def offer(
        self, message: dict[str, Any], conflate: bool, encoded: Encoded | None = None
    ) -> None:
        """Send or queue `message` (`encoded`: it already serialized, when no alias renames
        it). Written at once when nothing of this client's waits."""
        channel = message["channel"]
        if encoded is None or channel in self.aliases:
            encoded = Encoded(self._text(message))
        send_now = self._send_now
        if send_now is not None and self._idle() and send_now(encoded):
            SENT.inc()
            return
        text = encoded.text
        if conflate:
            self._latest[channel] = text
        elif len(self._outbox) >= OUTBOX:
            self.closing = TOO_SLOW
            DROPPED.inc()
        else:
            self._outbox.append(text)
        self._ready.set()

    def _idle(self) -> bool:
        """Nothing of this client's waits or is being sent: a direct write keeps order."""
        return self.closing is None and not (self._outbox or self._latest or self._sending)

    def offer_first(self, messages: list[dict[str, Any]]) -> None:
        """Ahead of whatever waits (a subscription's opening, then what it missed)."""
        texts = [self._text(m) for m in messages]
        self._outbox.extendleft(reversed(texts))
        self._ready.set()

    def _text(self, message: dict[str, Any]) -> str:
        alias = self.aliases.get(message.get("channel", ""))
        if alias is not None:
            message = {**message, "channel": alias}
        return as_json(message)

    async def pump(self) -> None:
        """Send what waits, in order (conflated prices after the queued messages)."""
        while self.closing is None:
            await self._ready.wait()
            self._ready.clear()
            while self.closing is None and (self._outbox or self._latest):
                if self._outbox:
                    text = self._outbox.popleft()
                else:
                    _, text = self._latest.popitem()
                self._sending = True
                try:
                    await self._send(text)
                finally:
                    self._sending = False
                SENT.inc()

    def close(self, code: int, reason: str = "") -> None:
        self.closing, self.closing_reason = code, reason
        self._ready.set()


class Hub:
    def __init__(self) -> None:
        self._channels: dict[str, Channel] = {}
        self.connections: set[Connection] = set()

    def channel(self, name: str) -> Channel:
        found = self._channels.get(name)
        if found is None:
            found = self._channels[name] = Channel(name)
        return found

    def publish(self, name: str, data: Any, *, conflate: bool = False) -> None:
        channel = self.channel(name)
        channel.seq += 1
        channel.recent.append((channel.seq, data))
        if not channel.members:
            return  # kept for resuming clients; nobody to send it to now
        message = {"type": "event", "channel": name, "seq": channel.seq, "data": data}
        encoded = Encoded(as_json(message))
        for connection in list(channel.members):  # serialized once for all
            connection.offer(message, conflate, encoded)

    async def subscribe(
        self,
        connection: Connection,
        name: str,
        since: int | None,
        snapshot: Snapshot | None,
        alias: str | None = None,
    ) -> None:
        """Join `name`. First comes a "subscribed" message with the channel's sequence
        number at joining; then, resuming, what came after `since` while the buffer still
        holds it, or else a snapshot of now (in "subscribed"); then live messages. Live
        messages that arrive while the snapshot is read follow it (their seq says so)."""
        channel = self.channel(name)
        joined_at = channel.seq
        channel.members.add(connection)
        connection.channels.add(name)
        if alias is not None:
            connection.aliases[name] = alias
        first_kept = channel.recent[0][0] if channel.recent else channel.seq + 1
        resumed = since is not None and since + 1 >= first_kept
        missed = [(seq, data) for seq, data in channel.recent if resumed and seq > since]  # type: ignore[operator]
        data = None if resumed or snapshot is None else await snapshot()
        connection.offer_first(
            [
                {
                    "type": "subscribed",
                    "channel": name,
                    "seq": joined_at,
                    "resumed": resumed,
                    "snapshot": data,
                },
                *({"type": "event", "channel": name, "seq": seq, "data": d} for seq, d in missed),
            ]
        )

    def unsubscribe(self, connection: Connection, name: str) -> None:
        self.channel(name).members.discard(connection)
        connection.channels.discard(name)
        connection.aliases.pop(name, None)

    def watched_now(self, name: str) -> bool:
        found = self._channels.get(name)
        return found is not None and bool(found.members)

    def watched(self, prefix: str) -> list[str]:
        """Channels under `prefix` that someone is subscribed to."""
        return [n for n, c in self._channels.items() if n.startswith(prefix) and c.members]

    def join(self, connection: Connection) -> None:
        self.connections.add(connection)
        CONNECTIONS.set(len(self.connections))

    def leave(self, connection: Connection) -> None:
        for name in list(connection.channels):
            self.unsubscribe(connection, name)
        self.connections.discard(connection)
        CONNECTIONS.set(len(self.connections))

    def count_of(self, user_id: str) -> int:
        return sum(c.user_id == user_id for c in self.connections)

    def close_all(self) -> None:
        """Shutting down: every client is told to reconnect (1012)."""
        for connection in list(self.connections):
            connection.close(RESTARTING)


def as_json(data: Any) -> str:
    """Compact JSON with amounts as exact decimal strings, as the HTTP API writes them."""
    return json.dumps(data, separators=(",", ":"), default=_json_value)


def _json_value(value: Any) -> Any:
    """Amounts as exact decimal strings, as the HTTP API writes them."""
    return plain(value) if isinstance(value, Decimal) else str(value)
