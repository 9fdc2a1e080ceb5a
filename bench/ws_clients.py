"""A load process for bench.ws_fanout: --clients WebSocket connections, each subscribed to
the given channels, timing every price message from "go" on.

picows (Cython) keeps the measuring side cheap: with a pure-Python client one process on
this machine falls behind well before the server does, and the bench would time itself.

Protocol with the parent, one JSON line each way on stdout/stdin: the process prints
{"connected": n} once its clients are in, waits for a line on stdin ("go"), listens for
--seconds, then prints {"latencies_ms": [...]} and exits."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from datetime import datetime

from picows import WSFrame, WSListener, WSMsgType, WSTransport, ws_connect

BATCH = 250  # connections opened at once


class Client(WSListener):
    def __init__(self, channels: list[str], timing: Timing) -> None:
        self.channels = channels
        self.timing = timing
        self.answered = asyncio.get_running_loop().create_future()
        self.awaiting = len(channels)

    def on_ws_connected(self, transport: WSTransport) -> None:
        for channel in self.channels:
            transport.send(
                WSMsgType.TEXT, json.dumps({"type": "subscribe", "channel": channel}).encode()
            )
        if not self.channels and not self.answered.done():
            self.answered.set_result(None)

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
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
            self.timing.record(message["data"]["at"], now)

    def on_ws_disconnected(self, transport: WSTransport) -> None:
        if not self.answered.done():
            self.answered.set_exception(ConnectionError("closed before subscribing"))


class Timing:
    def __init__(self) -> None:
        self.start: float | None = None
        self.latencies_ms: list[float] = []

    def record(self, at: str | float, now: float) -> None:
        if self.start is None:
            return
        sent = datetime.fromisoformat(at).timestamp() if isinstance(at, str) else float(at)
        if sent >= self.start:  # what queued up before "go" is drained, not timed
            self.latencies_ms.append((now - sent) * 1000)


async def open_one(url: str, channels: list[str], timing: Timing) -> WSTransport | None:
    try:
        transport, client = await ws_connect(
            lambda: Client(channels, timing), url, websocket_handshake_timeout=60
        )
        assert isinstance(client, Client)
        await asyncio.wait_for(client.answered, 60)
        return transport
    except (OSError, ConnectionError, TimeoutError, Exception):  # counted as not connected
        return None


async def main(url: str, clients: int, channels: list[str], seconds: float) -> None:
    timing = Timing()
    transports: list[WSTransport] = []
    for first in range(0, clients, BATCH):
        opened = await asyncio.gather(
            *(open_one(url, channels, timing) for _ in range(min(BATCH, clients - first)))
        )
        transports += [t for t in opened if t is not None]
    print(json.dumps({"connected": len(transports)}), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    timing.start = time.time()
    await asyncio.sleep(seconds)
    timing.start = float("inf")
    print(json.dumps({"latencies_ms": timing.latencies_ms}), flush=True)
    for transport in transports:
        transport.disconnect()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--clients", type=int, required=True)
    parser.add_argument("--channel", action="append", default=[])
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    asyncio.run(main(args.url, args.clients, args.channel, args.seconds))
