"""The WebSocket hub: channels with sequence numbers and a replay buffer, and the
connections they fan out to (`connection.py`).

Each channel numbers its messages; a client that reconnects with `since` gets what it
missed while the buffer still holds it, else a fresh snapshot. A message is
serialized once for all its clients and written to each socket at once; only a client that
is behind -- its socket full -- has messages wait, in a bounded outbox: price updates are
conflated (the latest per market wins), and a client that falls further behind than the
bound is disconnected (close code 4008) instead of slowing anyone else. Publishing never
awaits a client."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import Gauge

from astratrade.entrypoints.realtime.connection import (
    OUTBOX,
    SENT,
    TOO_SLOW,
    Connection,
    as_json,
)
from astratrade.entrypoints.realtime.transport import Encoded

logger = logging.getLogger(__name__)

CONNECTIONS = Gauge("astratrade_ws_connections", "Open WebSocket connections")

REPLAY = 512  # messages a channel keeps for clients that resume
NOT_SIGNED_IN, RESTARTING = 4001, 1012
IDLE_SECONDS = 120.0  # nothing from the client this long: it is gone
IDLE_CHECK_SECONDS = 5.0

Snapshot = Callable[[], Awaitable[Any]]


@dataclass
class Channel:
    name: str
    seq: int = 0
    recent: deque[tuple[int, Any]] = field(default_factory=lambda: deque(maxlen=REPLAY))
    members: set[Connection] = field(default_factory=set)


class Hub:
    def __init__(self) -> None:
        self._channels: dict[str, Channel] = {}
        self.connections: set[Connection] = set()
        self._per_user: dict[str, int] = {}
        self._reads: dict[str, tuple[int, asyncio.Future[Any]]] = {}  # snapshots under way

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
        encoded = Encoded(as_json(message))  # serialized once for all
        sent = 0
        for connection in list(channel.members):
            sent += connection.offer(message, conflate, encoded)
        if sent:
            SENT.inc(sent)

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
        if alias is not None and alias != name:  # the same name needs no message of its own
            connection.aliases[name] = alias
        first_kept = channel.recent[0][0] if channel.recent else channel.seq + 1
        resumed = since is not None and since + 1 >= first_kept
        missed = [(seq, data) for seq, data in channel.recent if resumed and seq > since]  # type: ignore[operator]
        data = (
            None if resumed or snapshot is None else await self._snapshot(name, joined_at, snapshot)
        )
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

    async def _snapshot(self, name: str, seq: int, read: Snapshot) -> Any:
        """One read for every client that joins `name` at the same sequence number while it
        is under way: they joined at the same point, so the first one's read is as much of
        now as their own would be, and what comes after reaches all of them live. Thousands
        subscribing at once (a restart, a reconnecting crowd) cost one read, not thousands."""
        pending = self._reads.get(name)
        if pending is None or pending[0] != seq:
            pending = (seq, asyncio.ensure_future(read()))
            self._reads[name] = pending
            pending[1].add_done_callback(lambda done: self._read_done(name, done))
        return await asyncio.shield(pending[1])  # one client going does not cancel the read

    def _read_done(self, name: str, done: asyncio.Future[Any]) -> None:
        pending = self._reads.get(name)
        if pending is not None and pending[1] is done:
            del self._reads[name]
        if not done.cancelled():
            done.exception()  # retrieved: whoever awaited it has it

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
        if connection in self.connections:
            return
        self.connections.add(connection)
        self._per_user[connection.user_id] = self._per_user.get(connection.user_id, 0) + 1
        CONNECTIONS.set(len(self.connections))

    def leave(self, connection: Connection) -> None:
        for name in list(connection.channels):
            self.unsubscribe(connection, name)
        if connection not in self.connections:
            return
        self.connections.discard(connection)
        left = self._per_user[connection.user_id] - 1
        if left:
            self._per_user[connection.user_id] = left
        else:
            del self._per_user[connection.user_id]
        CONNECTIONS.set(len(self.connections))

    def count_of(self, user_id: str) -> int:
        return self._per_user.get(user_id, 0)

    def close_silent(self, now: float, seconds: float = IDLE_SECONDS) -> int:
        """Close the sockets the hub serves whose client sent nothing (not even a pong to the
        server's pings) for `seconds` before `now` (loop time); how many."""
        silent = [
            c
            for c in self.connections
            if c.closing is None and c.heard_at is not None and now - c.heard_at > seconds
        ]
        for connection in silent:
            connection.close(1000, "idle")
        return len(silent)

    async def close_silent_ones(self) -> None:
        """Every few seconds, `close_silent`."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(IDLE_CHECK_SECONDS)
            self.close_silent(loop.time())

    def close_all(self) -> None:
        """Shutting down: every client is told to reconnect (1012)."""
        for connection in list(self.connections):
            connection.close(RESTARTING)


__all__ = ["OUTBOX", "TOO_SLOW", "Connection", "Hub", "as_json"]  # where they were first
