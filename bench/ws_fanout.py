"""WebSocket fan-out: N clients subscribed to a price channel, the platform's ticks against
a bare `websockets` broadcast of the same message at the same rate, in one run.

- The platform: `astratrade serve` on a temporary SQLite file with the synthetic feed at
  --rate ticks a second (every market each tick); one trader's token signs every client in.
- The floor: bench/bare_ws.py, `websockets.broadcast` of a same-shaped message --rate times a
  second to every client.
For each, --clients connections are opened by --processes load processes
(bench/ws_clients.py), subscribed (the platform: prices:BTC-USD and leaderboard:xp) and then
listened to for --seconds: latency = receipt time - the tick's time in the message (the same
machine's clock). Also: the server's resident memory per idle connection (RSS after the
clients connected minus before, over N), why clients did not connect, the ticks stamped in
the window (by sequence number, against the feed's cadence), how many reached each client
against how many were sent, how many clients were behind (missed some: conflated), and --
while the platform's clients listen -- --closes closed positions timed from the close
request to the trader's appearance on a subscribed leaderboard:xp.
Targets: at 5,000 clients and 10 ticks a second every client connects, >= 99 % of the
ticks reach the clients, p99 under 100 ms; a close on the board within 1 s.

    python -m bench.ws_fanout [--clients 5000] [--rate 10] [--seconds 10] [--processes 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect

from bench.common import load_average, percentile
from bench.orders_http import (
    ROOT,
    Server,
    Trader,
    _spawn,
    executable,
    free_port,
    new_trader,
    wait_ready,
)
from bench.orders_replicas import cpu_seconds

TARGET_P99_MS = 100.0
TARGET_CLIENTS = 5_000
TARGET_DELIVERED = 99.0  # % of the ticks, to every client, and of the feed's cadence
CHANNELS = ["prices:BTC-USD", "leaderboard:xp"]  # what every platform client watches


def rss_of(pid: int) -> int:
    """The process's resident memory in KiB (0 once it is gone)."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in lines if line.startswith("VmRSS:")), 0)


def start_platform(workdir: Path, rate: float) -> Server:
    port = free_port()
    env = {
        **os.environ,
        "ASTRATRADE_PRICE_FEED": "synthetic",
        "ASTRATRADE_FEED_INTERVAL_SECONDS": str(1 / rate),
        "ASTRATRADE_CLOCK": "system",
        "ASTRATRADE_DATA_DIR": str(workdir / "data"),
        "ASTRATRADE_LOG_LEVEL": "warning",
        "ASTRATRADE_WS_MAX_CONNECTIONS_PER_USER": "1000000",
    }
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
    connect_s: float = 0.0  # opening every connection and its subscriptions
    failed: dict[str, int] = field(default_factory=dict)  # why a client did not connect
    ticks: int = 0  # ticks stamped in the window that reached some client (most of a process)
    expected: int = 0  # those ticks times the clients of each load process
    missed: list[int] = field(default_factory=list)  # per client behind: ticks conflated
    gone: dict[str, int] = field(default_factory=dict)  # closed while listening, by how
    board_ms: list[float] = field(default_factory=list)  # close -> on leaderboard:xp
    cpu_s: float = 0.0  # the server processes' CPU while the clients listened
    board_error: str = ""  # why the close timing stopped, if it did
    connect_cpu_s: float = 0.0  # the server processes' CPU while the clients connected


def spawn_clients(
    urls: list[str], clients: int, channels: list[str], seconds: float, processes: int
) -> list[subprocess.Popen[str]]:
    """The load: `processes` bench.ws_clients processes sharing the clients, each
    connecting to one of `urls` in turn (a server process each)."""
    share = [clients // processes + (i < clients % processes) for i in range(processes)]
    flags = [arg for channel in channels for arg in ("--channel", channel)]
    command = [sys.executable, "-m", "bench.ws_clients", "--seconds", str(seconds)]
    return [
        subprocess.Popen(
            [*command, "--url", urls[i % len(urls)], "--clients", str(n), *flags],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for i, n in enumerate(share)
        if n
    ]


async def line_of(process: subprocess.Popen[str]) -> dict[str, Any]:
    assert process.stdout is not None
    line = await asyncio.to_thread(process.stdout.readline)
    if not line:
        raise RuntimeError(f"a client process exited early (code {process.wait()})")
    found: dict[str, Any] = json.loads(line)
    return found


async def measure(
    servers: list[int],
    urls: list[str],
    run: Run,
    channels: list[str],
    processes: int,
    during: Awaitable[list[float]] | None = None,
) -> None:
    """Connect every client (spread over `urls`), note the memory of the server
    processes (`servers`: their pids), then listen; `during` (the board timing) runs while
    the clients listen, so it is measured under the load."""

    def rss() -> int:
        return sum(rss_of(pid) for pid in servers)

    before = rss()
    started, connect_cpu = time.perf_counter(), cpu_seconds(servers)
    loads = spawn_clients(urls, run.clients, channels, run.seconds, processes)
    try:
        counts = [await line_of(p) for p in loads]
        run.connect_s = time.perf_counter() - started
        run.connect_cpu_s = cpu_seconds(servers) - connect_cpu
        print(f"    connected in {run.connect_s:,.1f} s; listening ...", flush=True)
        run.connected = sum(c["connected"] for c in counts)
        for count in counts:
            for why, n in count["failed"].items():
                run.failed[why] = run.failed.get(why, 0) + n
        await asyncio.sleep(1)
        run.kib_per_connection = (rss() - before) / max(run.connected, 1)
        cpu_before = cpu_seconds(servers)
        for process in loads:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        if during is not None:
            try:
                run.board_ms = await during
            except Exception as error:  # reported; the fan-out's figures still count
                run.board_error = f"{type(error).__name__}: {error}"[:160]
        for process, count in zip(loads, counts, strict=True):
            heard = await line_of(process)
            run.latencies_ms += heard["latencies_ms"]
            run.ticks = max(run.ticks, heard["ticks"])
            run.expected += heard["ticks"] * count["connected"]
            run.missed += heard["missed"]
            for how, n in heard["gone"].items():
                run.gone[how] = run.gone.get(how, 0) + n
        run.cpu_s = cpu_seconds(servers) - cpu_before
    finally:
        for process in loads:
            process.kill()
            process.wait()


async def close_to_board(platform: Server, trader: Trader, token: str, closes: int) -> list[float]:
    """Milliseconds from a close's request to the trader on a subscribed leaderboard:xp."""
    url = platform.url.replace("http", "ws") + f"/api/v1/ws?token={token}"
    seen: list[float] = []
    async with (
        httpx.AsyncClient(base_url=platform.url, headers=trader.headers, timeout=30) as client,
        connect(url) as ws,
    ):
        await ws.send(json.dumps({"type": "subscribe", "channel": "leaderboard:xp"}))
        await ws.recv()
        for _ in range(closes):
            body = {
                "account_id": trader.account_id,
                "market": "ETH-USD",
                "side": "buy",
                "type": "market",
                "size": "0.01",
            }
            (await client.post("/api/v1/orders", json=body)).raise_for_status()
            started = time.perf_counter()
            closed = await client.post(
                "/api/v1/positions/ETH-USD/close", json={"account_id": trader.account_id}
            )
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
        bare_run = Run(bare.name, args.clients, args.seconds)
        run = Run(platform.name, args.clients, args.seconds)
        print(f"  {bare.name}: {args.clients:,} clients for {args.seconds:g} s ...")
        bare_url = bare.url.replace("http", "ws")
        await measure([bare.process.pid], [bare_url], bare_run, [], args.processes)
        print(
            f"  {platform.name}: {args.clients:,} clients for {args.seconds:g} s, "
            f"{args.closes} closes timed meanwhile ..."
        )
        url = platform.url.replace("http", "ws") + f"/api/v1/ws?token={token}"
        board = close_to_board(platform, trader, token, args.closes)
        pids = [platform.process.pid]
        await measure(pids, [url], run, CHANNELS, args.processes, during=board)
        return [bare_run, run]
    finally:
        platform.stop()
        bare.stop()


def report(runs: list[Run], args: argparse.Namespace, target_clients: int = TARGET_CLIENTS) -> bool:
    print(
        f"\nWebSocket fan-out: {args.clients:,} clients on prices:BTC-USD, {args.rate:g} "
        f"ticks/s, {args.seconds:g} s; load average {load_average()} on {os.cpu_count()} "
        "CPUs (servers and this client share them)"
    )
    print(
        f"{'':<12}{'connected':>10}{'ticks':>7}{'received':>11}{'expected':>10}{'%':>7}"
        f"{'behind':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'KiB/conn':>10}"
    )
    for run in runs:
        lat = run.latencies_ms
        print(
            f"{run.name:<12}{run.connected:>10,}{run.ticks:>7,}{len(lat):>11,}"
            f"{run.expected:>10,}{share(len(lat), run.expected):>7.1f}{len(run.missed):>8,}"
            f"{percentile(lat, 50):>9.1f}{percentile(lat, 99):>9.1f}"
            f"{max(lat, default=float('nan')):>9.1f}{run.kib_per_connection:>10.1f}"
        )
    print(
        "ticks: stamped in the window and sent (by sequence number; the feed's cadence gives "
        f"{args.rate * args.seconds:,.0f}); expected: those times the clients; behind: clients "
        "that missed some (conflated: their socket was full)"
    )
    for run in runs:
        for why, n in sorted(run.failed.items(), key=lambda item: -item[1]):
            print(f"  {run.name}: {n:,} clients did not connect: {why}")
        print(
            f"  {run.name}: {run.connected:,} clients connected in {run.connect_s:,.1f} s "
            f"(server CPU {run.connect_cpu_s:,.1f} s meanwhile)"
        )
        if run.cpu_s:
            print(
                f"  {run.name}: server CPU {run.cpu_s:,.1f} s while listening "
                f"({100 * run.cpu_s / (run.seconds + 1):.0f} % of one core), "
                f"{len(run.latencies_ms) / run.cpu_s:,.0f} ticks delivered per CPU second"
            )
        for how, n in run.gone.items():
            print(f"  {run.name}: {n:,} clients were disconnected while listening: {how}")
        if run.missed:
            silent = run.missed.count(run.ticks)
            print(
                f"  {run.name}: {len(run.missed):,} clients behind, {sum(run.missed):,} ticks "
                f"conflated (at most {max(run.missed):,} for one client; {silent:,} got none)"
            )
    platform = runs[-1]
    board = platform.board_ms
    if platform.board_error:
        print(f"  the close timing stopped: {platform.board_error}")
    print(
        f"a closed position on a subscribed leaderboard:xp, {len(board)} closes: p50 "
        f"{percentile(board, 50):,.1f} ms, max {max(board, default=float('nan')):,.1f} ms "
        "(target < 1 s)"
    )
    p99 = percentile(platform.latencies_ms, 99)
    delivered = share(len(platform.latencies_ms), platform.expected)
    # Where the window starts against the ticks' phase moves one tick in or out of it.
    cadence = share(platform.ticks + 1, round(args.rate * args.seconds))
    at_target = args.clients >= target_clients
    ok = (
        p99 < TARGET_P99_MS
        and platform.connected == args.clients
        and delivered >= TARGET_DELIVERED
        and cadence >= TARGET_DELIVERED
        and at_target
    )
    verdict = ("PASS" if ok else "FAIL") if at_target else "info"
    print(
        f"{verdict}  p99 {p99:,.1f} ms from tick to client, {platform.connected:,} of "
        f"{args.clients:,} connected, {delivered:.1f} % of the ticks delivered, the feed at "
        f"{min(cadence, 100.0):.0f} % of its cadence give or take a tick (targets at "
        f"{target_clients:,}: p99 < "
        f"{TARGET_P99_MS:g} ms, all connected, >= {TARGET_DELIVERED:g} %)"
    )
    board_ok = bool(board) and max(board) < 1000
    print(
        f"{'PASS' if board_ok else 'FAIL'}  close to leaderboard max "
        f"{max(board, default=float('nan')):,.1f} ms (target < 1 s)"
    )
    return ok and board_ok


def share(part: float, whole: float) -> float:
    return 100 * part / whole if whole else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=5_000)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--closes", type=int, default=5)
    parser.add_argument("--processes", type=int, default=2, help="client load processes")
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="astratrade-ws-bench-") as tmp:
        runs = asyncio.run(bench(args, Path(tmp)))
    passed = report(runs, args)
    if args.strict and not passed:
        sys.exit(1)


if __name__ == "__main__":
    main()
