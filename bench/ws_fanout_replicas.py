"""WebSocket fan-out over the realtime service: --clients clients spread over --replicas
realtime replicas, against the bare `websockets.broadcast` spread over as many processes,
in one run (bench/ws_fanout.py's measures, its load processes and its report).

- The platform: `astratrade up --distributed --realtime-replicas N` on a fresh PostgreSQL
  database and Redis prefix (dropped after), the synthetic feed at --rate ticks a second
  run by the trading replica, which publishes each batch on the prices' stream every
  realtime replica follows. The load processes connect straight to the replicas, half to
  each (as a Kubernetes Service spreads them; the gateway's relay, a Python hop per frame,
  is left out); one trader's token signs every client in.
- The floor: N bench/bare_ws.py processes, the clients spread over them the same way.
Measured as bench.ws_fanout measures one process: clients connected, ticks delivered
against sent, p50/p99 from tick to client, memory per idle connection (the RSS of every
replica together, after the clients connected minus before, over the clients), and closes
timed to a subscribed leaderboard:xp through the gateway (its relay included).
Target: at 10,000 clients over two replicas every client connects, >= 99 % of the ticks
reach the clients, p99 under 100 ms.

    python -m bench.ws_fanout_replicas [--clients 10000] [--replicas 2] [--rate 10]
        [--seconds 10] [--processes 4]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
import redis.asyncio as aioredis

from bench.orders_gateway import ADMIN_URL, REDIS_URL, layout, ready
from bench.orders_http import Server, free_port, new_trader, wait_ready
from bench.ws_fanout import CHANNELS, Run, close_to_board, measure, report, start_bare

TARGET_CLIENTS = 10_000


def realtime_replicas(up: Server, count: int, within: float = 60) -> list[tuple[int, str]]:
    """Each realtime replica's pid and URL, as `up` reports them."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        log = up.log.read_text()
        urls = re.search(r"services at \S*realtime=(\S+)", log)
        pids = re.findall(r"^\s*realtime-(\d+) \| started \(pid (\d+)\)$", log, re.MULTILINE)
        if urls and len(pids) >= count:
            by_number = {int(n): int(pid) for n, pid in pids}
            return [(by_number[n + 1], url) for n, url in enumerate(urls[1].split("|"))]
        time.sleep(0.2)
    raise RuntimeError(f"no realtime replicas:\n{up.log_tail()}")


async def bench(args: argparse.Namespace, workdir: Path) -> list[Run]:
    bares = [start_bare(workdir, args.rate) for _ in range(args.replicas)]
    up_args = [
        "up",
        "--distributed",
        "--realtime-replicas",
        str(args.replicas),
        "--port",
        str(port := free_port()),
    ]
    settings = {
        "ASTRATRADE_PRICE_FEED": "synthetic",
        "ASTRATRADE_FEED_INTERVAL_SECONDS": str(1 / args.rate),
        "ASTRATRADE_WS_MAX_CONNECTIONS_PER_USER": "1000000",
    }
    run_id = uuid.uuid4().hex[:8]
    database, prefix = f"bench_ws_{run_id}", f"bench-ws-{run_id}:"
    admin = await asyncpg.connect(ADMIN_URL)
    try:
        async with layout(admin, database, prefix, workdir, up_args, port, settings) as (up, _):
            replicas = realtime_replicas(up, args.replicas)
            for _pid, url in replicas:
                await ready(url)
            async with httpx.AsyncClient(base_url=up.url, timeout=30) as client:
                await wait_ready(client, up, within=60)
                trader = await new_trader(client, 0)
            token = trader.headers["Authorization"].split()[1]
            bare_run = Run(f"bare x{args.replicas}", args.clients, args.seconds)
            run = Run(f"realtime x{args.replicas}", args.clients, args.seconds)
            print(f"  {bare_run.name}: {args.clients:,} clients for {args.seconds:g} s ...")
            await measure(
                [b.process.pid for b in bares],
                [b.url.replace("http", "ws") for b in bares],
                bare_run,
                [],
                args.processes,
            )
            print(f"  {run.name}: {args.clients:,} clients for {args.seconds:g} s ...")
            urls = [url.replace("http", "ws") + f"/api/v1/ws?token={token}" for _, url in replicas]
            board = close_to_board(up, trader, token, args.closes)
            await measure(
                [pid for pid, _ in replicas], urls, run, CHANNELS, args.processes, during=board
            )
            return [bare_run, run]
    finally:
        for bare in bares:
            bare.stop()
        await admin.close()
        keys = aioredis.from_url(REDIS_URL)
        async for key in keys.scan_iter(match=f"{prefix}*"):
            await keys.delete(key)
        await keys.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=TARGET_CLIENTS)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--closes", type=int, default=5)
    parser.add_argument("--processes", type=int, default=4, help="client load processes")
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="astratrade-ws-replicas-") as tmp:
        runs = asyncio.run(bench(args, Path(tmp)))
    passed = report(runs, args, TARGET_CLIENTS)
    if args.strict and not passed:
        sys.exit(1)


if __name__ == "__main__":
    main()
