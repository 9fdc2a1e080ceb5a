"""WebSocket fan-out: N clients subscribed to a price channel, the platform's ticks against
a bare `websockets` broadcast of the same message at the same rate, in one run.

- The platform: `astratrade serve` on a temporary SQLite file with the synthetic feed at
  --rate ticks a second (every market each tick); one trader's token signs every client in.
- The floor: bench/bare_ws.py, `websockets.broadcast` of a same-shaped message --rate times a
  second to every client.
For each, --clients connections are opened (in batches), subscribed (the platform) and then
listened to for --seconds: latency = receipt time - the tick's time in the message (the same
machine's clock). Also: the server's resident memory per idle connection (RSS after the
clients connected minus before, over N), and how many messages arrived against how many
were sent. Targets (issue): p99 under 100 ms at 5,000 clients and 10 ticks a second.

    python -m bench.ws_fanout [--clients 5000] [--rate 10] [--seconds 10] [--strict]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from bench.common import load_average, percentile
from bench.orders_http import (
    Server,
    Trader,
    _spawn,
    executable,
    free_port,
    new_trader,
    wait_ready,
)

TARGET_P99_MS = 100.0
TARGET_CLIENTS = 5_000
BATCH = 250  # connections opened at once


def rss_kib(server: Server) -> int:
    for line in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def start_platform(workdir: Path, rate: float) -> Server:
    port = free_port()
    env = {**os.environ, "ASTRATRADE_PRICE_FEED": "synthetic",
           "ASTRATRADE_FEED_INTERVAL_SECONDS": str(1 / rate), "ASTRATRADE_CLOCK": "system",
           "ASTRATRADE_DATA_DIR": str(workdir / "data"), "ASTRATRADE_LOG_LEVEL": "warning",
           "ASTRATRADE_WS_MAX_CONNECTIONS_PER_USER": "1000000"}  # fmt: skip
    env.pop("ASTRATRADE_DATABASE_URL", None)
    command = [executable("astratrade"), "serve", "--port", str(port)]
    return _spawn("astratrade", command, env, port, workdir / "platform.log")


def start_bare(workdir: Path, rate: float) -> Server:
    port = free_port()
    command = [sys.executable, "-m", "bench.bare_ws", "--port", str(port), "--rate", str(rate)]
    return _spawn("bare", command, dict(os.environ), port, workdir / "bare.log")


@dataclass
class Run:
    name: str
    clients: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    kib_per_connection: float = 0.0
    connected: int = 0
    board_ms: list[float] = field(default_factory=list)  # close -> on leaderboard:xp


async def listen(ws: ClientConnection, run: Run, start: float, until: float) -> None:
    """Time every tick sent from `start` on (what queued up before is drained, not timed)."""
    while (left := until - time.time()) > 0:
        try:
            text = await asyncio.wait_for(ws.recv(), left)
        except (TimeoutError, Exception):
            return
        now = time.time()
        message = json.loads(text)
        if message.get("type") != "event":
            continue
        at = message["data"]["at"]
        sent = datetime.fromisoformat(at).timestamp() if isinstance(at, str) else float(at)
        if sent >= start:
            run.latencies_ms.append((now - sent) * 1000)


async def measure(server: Server, url: str, run: Run, subscribe: bool) -> None:
    before = rss_kib(server)
    sockets: list[ClientConnection] = []
    for start in range(0, run.clients, BATCH):
        opened = await asyncio.gather(
            *(connect(url, open_timeout=60, ping_interval=None, max_queue=None)
              for _ in range(min(BATCH, run.clients - start))),
            return_exceptions=True,
        )  # fmt: skip
        fresh = [ws for ws in opened if isinstance(ws, ClientConnection)]
        for ws in fresh:
            try:
                if subscribe:
                    await ws.send(json.dumps({"type": "subscribe", "channel": "prices:BTC-USD"}))
                sockets.append(ws)
            except ConnectionClosed:  # the server let it go (counted as not connected)
                continue
    run.connected = len(sockets)
    if subscribe:  # every "subscribed" answered: all are in the channel
        await asyncio.gather(*(ws.recv() for ws in sockets), return_exceptions=True)
    await asyncio.sleep(1)
    run.kib_per_connection = (rss_kib(server) - before) / max(len(sockets), 1)
    start = time.time()
    until = start + run.seconds
    await asyncio.gather(*(listen(ws, run, start, until) for ws in sockets))
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)


async def close_to_board(platform: Server, trader: Trader, token: str, closes: int) -> list[float]:
    """Milliseconds from a close's request to the trader on a subscribed leaderboard:xp."""
    url = platform.url.replace("http", "ws") + f"/api/v1/ws?token={token}"
    seen: list[float] = []
    async with httpx.AsyncClient(base_url=platform.url, headers=trader.headers,
                                 timeout=30) as client, connect(url) as ws:  # fmt: skip
        await ws.send(json.dumps({"type": "subscribe", "channel": "leaderboard:xp"}))
        await ws.recv()
        for _ in range(closes):
            body = {"account_id": trader.account_id, "market": "ETH-USD", "side": "buy",
                    "type": "market", "size": "0.01"}  # fmt: skip
            (await client.post("/api/v1/orders", json=body)).raise_for_status()
            started = time.perf_counter()
            closed = await client.post("/api/v1/positions/ETH-USD/close",
                                       json={"account_id": trader.account_id})  # fmt: skip
            closed.raise_for_status()
            while True:
                message = json.loads(await asyncio.wait_for(ws.recv(), 10))
                if message.get("type") == "event":
                    break
            seen.append((time.perf_counter() - started) * 1000)
    return seen


async def bench(args: argparse.Namespace, workdir: Path) -> list[Run]:
    platform, bare = start_platform(workdir, args.rate), start_bare(workdir, args.rate)
    try:
        async with httpx.AsyncClient(base_url=platform.url, timeout=30) as client:
            await wait_ready(client, platform)
            trader = await new_trader(client, 0)
        token = trader.headers["Authorization"].split()[1]
        await asyncio.sleep(1)  # the bare server binds
        board = await close_to_board(platform, trader, token, args.closes)
        runs = []
        for server, url, subscribe in (
            (bare, bare.url.replace("http", "ws"), False),
            (platform, platform.url.replace("http", "ws") + f"/api/v1/ws?token={token}", True),
        ):
            run = Run(server.name, args.clients, args.seconds)
            print(f"  {server.name}: {args.clients:,} clients for {args.seconds:g} s ...")
            await measure(server, url, run, subscribe)
            runs.append(run)
        runs[-1].board_ms = board
        return runs
    finally:
        platform.stop()
        bare.stop()


def report(runs: list[Run], args: argparse.Namespace) -> bool:
    print(f"\nWebSocket fan-out: {args.clients:,} clients on prices:BTC-USD, {args.rate:g} "
          f"ticks/s, {args.seconds:g} s; load average {load_average()} on {os.cpu_count()} "
          "CPUs (servers and this client share them)")  # fmt: skip
    print(f"{'':<12}{'connected':>10}{'received':>11}{'expected':>10}{'p50 ms':>9}"
          f"{'p99 ms':>9}{'max ms':>9}{'KiB/conn':>10}")  # fmt: skip
    for run in runs:
        lat = run.latencies_ms
        expected = int(run.connected * args.rate * run.seconds)  # about: ticks in the window
        print(f"{run.name:<12}{run.connected:>10,}{len(lat):>11,}{expected:>10,}"
              f"{percentile(lat, 50):>9.1f}{percentile(lat, 99):>9.1f}"
              f"{max(lat, default=float('nan')):>9.1f}{run.kib_per_connection:>10.1f}")  # fmt: skip
    platform = runs[-1]
    board = platform.board_ms
    print(f"a closed position on a subscribed leaderboard:xp, {len(board)} closes: p50 "
          f"{percentile(board, 50):,.1f} ms, max {max(board, default=float('nan')):,.1f} ms "
          "(target < 1 s)")  # fmt: skip
    p99 = percentile(platform.latencies_ms, 99)
    at_target = args.clients >= TARGET_CLIENTS
    ok = p99 < TARGET_P99_MS and platform.connected == args.clients and at_target
    verdict = ("PASS" if ok else "FAIL") if at_target else "info"
    print(f"{verdict}  p99 {p99:,.1f} ms from tick to client at {platform.connected:,} "
          f"clients (target < {TARGET_P99_MS:g} ms at {TARGET_CLIENTS:,})")  # fmt: skip
    board_ok = bool(board) and max(board) < 1000
    print(f"{'PASS' if board_ok else 'FAIL'}  close to leaderboard max "
          f"{max(board, default=float('nan')):,.1f} ms (target < 1 s)")  # fmt: skip
    return ok and board_ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=5_000)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--closes", type=int, default=5)
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="astratrade-ws-bench-") as tmp:
        runs = asyncio.run(bench(args, Path(tmp)))
    passed = report(runs, args)
    if args.strict and not passed:
        sys.exit(1)


if __name__ == "__main__":
    main()
