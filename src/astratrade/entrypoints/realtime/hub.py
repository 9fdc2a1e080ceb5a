"""The WebSocket hub: channels with sequence numbers and a replay buffer, and the
connections they fan out to (`connection.py`).

Each channel numbers its messages; a client that reconnects with `since` gets what it
missed while the buffer still holds it, else a fresh snapshot. A channel fed by one
context's events (a user's orders, positions, progression) is numbered by the events'
positions in that context's stream where they have one (Redis): the same on every hub
that tails the stream, so a client resumes on another replica than the one it left
(`Source`). Other channels are counted here, 1, 2, 3, ... A message is
serialized once for all its clients and written to each socket at once; only a client that
is behind -- its socket full -- has messages wait, in a bounded outbox: price updates are
conflated (the latest per market wins), and a client that falls further behind than the
bound is disconnected (close code 4008) instead of slowing anyone else. Publishing never
awaits a client."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import Counter, Gauge

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
# Closed by either side: many at once is a storm (a replica died, a network cut, a bad
# deploy), which the gauge alone hides when the clients reconnect at once.
DISCONNECTS = Counter("astratrade_ws_disconnects", "WebSocket connections that left the hub")

REPLAY = 512  # messages a channel keeps for clients that resume
NOT_SIGNED_IN, RESTARTING = 4001, 1012
IDLE_SECONDS = 120.0  # nothing from the client this long: it is gone
IDLE_CHECK_SECONDS = 5.0
IDLE_CHANNEL_SECONDS = 600.0  # a channel nobody watches, silent this long, is let go of
# A snapshot read answers the clients that join the watched channel at the same sequence
# number this long after it, too (what changes a watched channel is published, numbered).
SNAPSHOT_REUSE_SECONDS = 1.0

Snapshot = Callable[[], Awaitable[Any]]


@dataclass
class Channel:
    name: str
    seq: int = 0
    # Every message numbered after `floor` is in `recent` (what the buffer let go of, and
    # for a stream's channel what came before this hub saw the stream, is not).
    floor: int = 0
    recent: deque[tuple[int, Any]] = field(default_factory=lambda: deque(maxlen=REPLAY))
    members: set[Connection] = field(default_factory=set)
    touched: float = field(default_factory=time.monotonic)  # its last message or member


@dataclass
class Source:
    """What this hub saw of one context's stream: every event after `start`, to `last`;
    `forgotten`: the last number of a channel of it let go of (`forget_idle`), where a
    channel opened since starts to vouch for what it holds."""

    start: int
    last: int
    forgotten: int = 0


def no_source(_channel: str) -> str | None:
    return None


class Hub:
    def __init__(self, source_of: Callable[[str], str | None] = no_source) -> None:
        """`source_of`: the context whose stream numbers a channel (None: counted here)."""
        self._source_of = source_of
        self._sources: dict[str, Source] = {}
        self._channels: dict[str, Channel] = {}
        self.connections: set[Connection] = set()
        self._per_user: dict[str, int] = {}
        self._reads: dict[str, tuple[int, asyncio.Future[Any]]] = {}  # snapshots under way

    def channel(self, name: str) -> Channel:
        found = self._channels.get(name)
        if found is None:
            # A stream's channel opens at the stream's position here: a client that joins
            # now and resumes elsewhere later gets what came after that.
            source = self._sources.get(self._source_of(name) or "")
            seq, floor = (source.last, source.forgotten) if source else (0, 0)
            found = self._channels[name] = Channel(name, seq, floor)
        return found

    def advance(self, source: str, position: int) -> None:
        """An event of `source`'s stream at `position` reached this hub (in stream order)."""
        known = self._sources.get(source)
        if known is None:  # the first this hub sees: it has every one after its predecessor
            self._sources[source] = Source(position - 1, position)
        else:
            known.last = max(known.last, position)

    def publish(
        self, name: str, data: Any, *, conflate: bool = False, seq: int | None = None
    ) -> None:
        """`seq`: the event's position in its stream (see `advance`); else counted here."""
        channel = self.channel(name)
        channel.seq = channel.seq + 1 if seq is None else max(seq, channel.seq)
        if len(channel.recent) == REPLAY:
            channel.floor = channel.recent[0][0]  # about to be let go of
        channel.recent.append((channel.seq, data))
        channel.touched = time.monotonic()
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
        holds it, or else a snapshot of now (in "subscribed") and what came while it was
        read; then live messages. The client joins the channel's members only once its
        opening is queued, so nothing live overtakes it (a snapshot may be read from
        another service, which takes a while)."""
        channel = self.channel(name)
        channel.members.discard(connection)  # subscribing again starts over
        joined_at = channel.seq
        connection.channels.add(name)
        if alias is not None and alias != name:  # the same name needs no message of its own
            connection.aliases[name] = alias
        resumed = since is not None and self.holds_after(channel, since)
        data = (
            None if resumed or snapshot is None else await self._snapshot(name, joined_at, snapshot)
        )
        if name not in connection.channels:  # it left, or unsubscribed, meanwhile
            return
        after = since if resumed and since is not None else joined_at
        missed = [(seq, d) for seq, d in channel.recent if seq > after]
        channel.members.add(connection)
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

    def holds_after(self, channel: Channel, since: int) -> bool:
        """Whether every message of `channel` numbered after `since` is in its buffer: a
        number it gave out (not one of another life), after what it let go of and, for a
        stream's channel, after the first event of the stream this hub saw."""
        floor = channel.floor
        source = self._sources.get(self._source_of(channel.name) or "")
        if source is not None:
            floor = max(floor, source.start)
        return floor <= since <= channel.seq

    async def _snapshot(self, name: str, seq: int, read: Snapshot) -> Any:
        """One read for every client that joins `name` at the same sequence number while it
        is under way, or up to SNAPSHOT_REUSE_SECONDS after it: they joined at the same
        point, so the first one's read is as much of now as their own would be, and what
        comes after reaches all of them live. Thousands subscribing at once (a restart, a
        reconnecting crowd) cost one read, not thousands -- a read that is an HTTP call to
        another service when the hub is the realtime service."""
        pending = self._reads.get(name)
        # A read already done stands for now only while someone watches: then whatever
        # changes the channel's state is published (and numbered), else it may not be.
        done_unwatched = pending is not None and pending[1].done() and not self.watched_now(name)
        if pending is None or pending[0] != seq or done_unwatched:
            pending = (seq, asyncio.ensure_future(read()))
            self._reads[name] = pending
            pending[1].add_done_callback(lambda done: self._read_done(name, done))
        return await asyncio.shield(pending[1])  # one client going does not cancel the read

    def _read_done(self, name: str, done: asyncio.Future[Any]) -> None:
        failed = done.cancelled() or done.exception() is not None  # retrieved: awaited there
        if failed:
            self._forget_read(name, done)
        else:  # kept a moment for the clients that join next
            loop = asyncio.get_running_loop()
            loop.call_later(SNAPSHOT_REUSE_SECONDS, self._forget_read, name, done)

    def _forget_read(self, name: str, done: asyncio.Future[Any]) -> None:
        pending = self._reads.get(name)
        if pending is not None and pending[1] is done:
            del self._reads[name]

    def unsubscribe(self, connection: Connection, name: str) -> None:
        channel = self.channel(name)
        channel.members.discard(connection)
        channel.touched = time.monotonic()
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
        DISCONNECTS.inc()
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

    def forget_idle(self, now: float, seconds: float = IDLE_CHANNEL_SECONDS) -> int:
        """Let go of the channels nobody watches that carried nothing for `seconds` before
        `now` (monotonic): a realtime replica sees every trader's events, and would
        otherwise keep a buffer for each of them for ever. A stream's channel opened again
        vouches only for what comes after the last one let go of (`Source.forgotten`), so a
        resume is never answered from a buffer with a hole; a channel counted here that
        replays (embedded user channels) is kept, its numbers must not start again."""
        idle = [
            (name, channel)
            for name, channel in self._channels.items()
            if not channel.members and now - channel.touched > seconds
        ]
        forgotten = 0
        for name, channel in idle:
            source = self._sources.get(self._source_of(name) or "")
            if source is not None:
                source.forgotten = max(source.forgotten, channel.seq)
            elif "/" in name:
                continue
            del self._channels[name]
            forgotten += 1
        return forgotten

    async def close_silent_ones(self) -> None:
        """Every few seconds, `close_silent` and `forget_idle`."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(IDLE_CHECK_SECONDS)
            self.close_silent(loop.time())
            self.forget_idle(time.monotonic())

    def close_all(self) -> None:
        """Shutting down: every client is told to reconnect (1012)."""
        for connection in list(self.connections):
            connection.close(RESTARTING)


__all__ = ["OUTBOX", "TOO_SLOW", "Connection", "Hub", "as_json"]  # where they were first
