"""A load process for bench.ws_fanout: --clients WebSocket connections, each subscribed to
the given channels, timing every price message from "go" on.

picows (Cython) keeps the measuring side cheap: with a pure-Python client one process on
this machine falls behind well before the server does, and the bench would time itself.

Protocol with the parent, one JSON line each way on stdout/stdin: the process prints
{"connected": n, "failed": {why: n}} once its clients are in, waits for a line on stdin
("go"), listens for --seconds (and a moment more for ticks still in flight), then prints
{"latencies_ms": [...], "ticks": n, "missed": [...]} and exits: the ticks stamped in the
window that any of its clients got (by sequence number), and for each client that did not
get every one of them, how many it missed (conflated: it was behind)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import Counter
from datetime import datetime

from picows import WSFrame, WSListener, WSMsgType, WSTransport, ws_connect

BATCH = 250  # connections opened at once
GRACE_SECONDS = 1.0  # after the window, for its last ticks still on their way


class Client(WSListener):
    def __init__(self, channels: list[str], timing: Timing) -> None:
        self.channels = channels
        self.timing = timing
        self.answered = asyncio.get_running_loop().create_future()
        self.awaiting = len(channels)
        self.ticks = 0  # price messages stamped in the window
        self.closed = "closed"  # how the server closed it, once it did

    def on_ws_connected(self, transport: WSTransport) -> None:
        for channel in self.channels:
            transport.send(
                WSMsgType.TEXT, json.dumps({"type": "subscribe", "channel": channel}).encode()
            )
        if not self.channels and not self.answered.done():
            self.answered.set_result(None)

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        if frame.msg_type is WSMsgType.CLOSE:
            self.closed = f"closed {int(frame.get_close_code())} {frame.get_close_message()!r}"
        if frame.msg_type is not WSMsgType.TEXT:
            return
        now = time.time()
        message = json.loads(frame.get_payload_as_utf8_text())
        kind = message.get("type")
        if kind == "subscribed":
            self.awaiting -= 1
            if self.awaiting == 0 and not self.answered.done():
                self.answered.set_result(None)
        elif kind == "event" and message.get("channel", "").startswith("prices:"):
            if self.timing.record(message["data"]["at"], message["seq"], now):
                self.ticks += 1
        elif kind == "error" and not self.answered.done():
            self.answered.set_exception(ConnectionError(f"error {message.get('code')}"))

    def on_ws_disconnected(self, transport: WSTransport) -> None:
        if not self.answered.done():
            self.answered.set_exception(ConnectionError(f"{self.closed} before subscribing"))


class Timing:
    def __init__(self) -> None:
        self.start = float("inf")
        self.end = float("inf")
        self.latencies_ms: list[float] = []
        self.seqs: set[int] = set()  # the window's ticks that reached any client here

    def record(self, at: str | float, seq: int, now: float) -> bool:
        """Time a tick stamped in the window; whether it was one."""
        sent = datetime.fromisoformat(at).timestamp() if isinstance(at, str) else float(at)
        if not self.start <= sent < self.end:  # what queued up before "go" is not timed
            return False
        self.latencies_ms.append((now - sent) * 1000)
        self.seqs.add(seq)
        return True


async def open_one(
    url: str, channels: list[str], timing: Timing, failed: Counter[str]
) -> tuple[WSTransport, Client] | None:
    try:
        transport, client = await ws_connect(
            lambda: Client(channels, timing), url, websocket_handshake_timeout=60
        )
        assert isinstance(client, Client)
        await asyncio.wait_for(client.answered, 60)
        return transport, client
    except Exception as error:  # counted as not connected, by why
        failed[f"{type(error).__name__}: {error}"[:80]] += 1
        return None


async def main(url: str, clients: int, channels: list[str], seconds: float) -> None:
    timing = Timing()
    failed: Counter[str] = Counter()
    opened: list[tuple[WSTransport, Client]] = []
    for first in range(0, clients, BATCH):
        batch = await asyncio.gather(
            *(open_one(url, channels, timing, failed) for _ in range(min(BATCH, clients - first)))
        )
        opened += [o for o in batch if o is not None]
    print(json.dumps({"connected": len(opened), "failed": failed}), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    timing.start = time.time()
    timing.end = timing.start + seconds
    await asyncio.sleep(seconds + GRACE_SECONDS)
    ticks = len(timing.seqs)
    missed = [ticks - client.ticks for _, client in opened if client.ticks < ticks]
    gone = Counter(client.closed for transport, client in opened if transport.is_disconnected)
    heard = {"latencies_ms": timing.latencies_ms, "ticks": ticks, "missed": missed, "gone": gone}
    print(json.dumps(heard), flush=True)
    for transport, _ in opened:
        transport.disconnect()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--clients", type=int, required=True)
    parser.add_argument("--channel", action="append", default=[])
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    asyncio.run(main(args.url, args.clients, args.channel, args.seconds))
