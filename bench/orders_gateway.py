"""Order placement through the gateway of distributed mode, beside embedded mode and the
trading service called directly, in one run, all on PostgreSQL and Redis.

Starts `astratrade serve` (embedded: every context in one process) on one fresh database
and Redis prefix, and `astratrade up --distributed` (relay, four services, gateway) on
another. Each gets --traders traders. Then, in turns, an open-loop schedule of --rate
market orders a second for --seconds (bench.orders_http's: latency counts from when a
request was due) against: embedded, the trading service directly, and the gateway in front
of it. The gateway's added latency is gateway minus direct, percentile by percentile; a
closed loop of --concurrency clients gives each layout's throughput.

Target (issue): the gateway adds under 10 ms at p99.

    python -m bench.orders_gateway [--rate 200] [--seconds 10] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
import redis.asyncio as aioredis

from bench.common import load_average, main
from bench.orders_http import (
    ROOT,
    Connections,
    Run,
    Server,
    Trader,
    closed_loop,
    executable,
    free_port,
    new_trader,
    open_loop,
    sender,
    wait_ready,
)

TARGET_OVERHEAD_MS = 10.0
ADMIN_URL = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/0")
SECRET = "bench-secret-that-is-long-enough-for-hs256-0123456789"  # noqa: S105 - a bench run's own


def settings_env(workdir: Path, database: str, prefix: str) -> dict[str, str]:
    url = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return {**{k: v for k, v in os.environ.items() if not k.startswith("ASTRATRADE_")},
            "ASTRATRADE_DATABASE_URL": f"{url}/{database}", "ASTRATRADE_REDIS_URL": REDIS_URL,
            "ASTRATRADE_REDIS_PREFIX": prefix, "ASTRATRADE_PRICE_FEED": "manual",
            "ASTRATRADE_CLOCK": "system", "ASTRATRADE_LOG_LEVEL": "warning",
            "ASTRATRADE_JWT_SECRET": SECRET, "ASTRATRADE_DATA_DIR": str(workdir),
            "ASTRATRADE_RATE_LIMIT_REGISTER_PER_IP": "",
            "ASTRATRADE_RATE_LIMIT_ORDERS_PER_USER": "",
            "ASTRATRADE_RATE_LIMIT_ORDERS_PER_IP": "",
            "ASTRATRADE_RATE_LIMIT_REQUESTS_PER_IP": ""}  # fmt: skip


def spawn(name: str, command: list[str], env: dict[str, str], url: str, log: Path) -> Server:
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    return Server(name, process, url, log)


def trading_url(up: Server, within: float = 60) -> str:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        found = re.search(r"services at \S*trading=(http://[\d.:]+)", up.log.read_text())
        if found:
            return found[1]
        time.sleep(0.1)
    raise RuntimeError(f"distributed mode did not start:\n{up.log_tail()}")


async def traders_of(server: Server, count: int) -> list[Trader]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        await wait_ready(client, server, within=60)
        return [await new_trader(client, n) for n in range(count)]


async def ready(url: str, within: float = 60) -> None:
    deadline = time.monotonic() + within
    async with httpx.AsyncClient(timeout=2) as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get(f"{url}/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} not ready")


Args = argparse.Namespace


async def latency(server: Server, url: str, traders: list[Trader], args: Args) -> Run:
    connections = Connections(url, args.concurrency * 4)
    try:
        send = sender(connections, "/api/v1/orders", traders, platform=True)
        await open_loop(send, server, args.rate, 1.0)  # warm the connections and the caches
        return await open_loop(send, server, args.rate, args.seconds)
    finally:
        await connections.aclose()


async def throughput(
    server: Server, url: str, traders: list[Trader], args: argparse.Namespace
) -> Run:
    connections = Connections(url, args.concurrency)
    try:
        send = sender(connections, "/api/v1/orders", traders, platform=True)
        return await closed_loop(send, server, args.concurrency, args.seconds)
    finally:
        await connections.aclose()


async def bench(args: argparse.Namespace, workdir: Path) -> bool:
    run_id = uuid.uuid4().hex[:8]
    databases = [f"bench_gateway_{run_id}_{kind}" for kind in ("embedded", "distributed")]
    admin = await asyncpg.connect(ADMIN_URL)
    for database in databases:
        await admin.execute(f'CREATE DATABASE "{database}"')
    servers: list[Server] = []
    try:
        port = free_port()
        embedded = spawn("embedded", [executable("astratrade"), "serve", "--port", str(port)],
                         settings_env(workdir, databases[0], f"bench-{run_id}-e:"),
                         f"http://127.0.0.1:{port}", workdir / "embedded.log")  # fmt: skip
        servers.append(embedded)
        port = free_port()
        command = [executable("astratrade"), "up", "--distributed", "--port", str(port)]
        up = spawn("gateway", command,
                   settings_env(workdir, databases[1], f"bench-{run_id}-d:"),
                   f"http://127.0.0.1:{port}", workdir / "distributed.log")  # fmt: skip
        servers.append(up)
        direct = trading_url(up)
        await ready(direct)
        print(f"  embedded and distributed up; {args.traders} traders each ...")
        traders = {"embedded": await traders_of(embedded, args.traders),
                   "gateway": await traders_of(up, args.traders)}  # fmt: skip
        targets = [("embedded", embedded, embedded.url, traders["embedded"]),
                   ("trading direct", up, direct, traders["gateway"]),
                   ("gateway", up, up.url, traders["gateway"])]  # fmt: skip
        runs: dict[str, tuple[Run, Run]] = {}
        for name, server, url, people in targets:
            print(f"  {name}: {args.rate:g} orders/s for {args.seconds:g} s, then "
                  f"{args.concurrency} clients flat out ...")  # fmt: skip
            runs[name] = (await latency(server, url, people, args),
                          await throughput(server, url, people, args))  # fmt: skip
        return report(runs, args)
    finally:
        for server in reversed(servers):
            server.stop()
        for database in databases:
            await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.close()
        keys = aioredis.from_url(REDIS_URL)
        async for key in keys.scan_iter(match=f"bench-{run_id}-*"):
            await keys.delete(key)
        await keys.aclose()


def report(runs: dict[str, tuple[Run, Run]], args: argparse.Namespace) -> bool:
    print(f"\nOrders over HTTP on PostgreSQL + Redis, open loop at {args.rate:g}/s for "
          f"{args.seconds:g} s; load {load_average()} on {os.cpu_count()} CPUs")  # fmt: skip
    print(f"{'':<16}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'errors':>8}{'orders/s flat out':>19}")
    for name, (timed, flat) in runs.items():
        print(f"{name:<16}{timed.percentile(50):>9.1f}{timed.percentile(90):>9.1f}"
              f"{timed.percentile(99):>9.1f}{timed.errors:>8}"
              f"{flat.per_second:>19,.0f}")  # fmt: skip
    gateway, direct = runs["gateway"][0], runs["trading direct"][0]
    added = {q: gateway.percentile(q) - direct.percentile(q) for q in (50, 90, 99)}
    print("the gateway adds: " + ", ".join(f"p{q} {ms:+.1f} ms" for q, ms in added.items()))
    ok = added[99] < TARGET_OVERHEAD_MS and gateway.errors == 0
    print(f"{'PASS' if ok else 'FAIL'}  gateway p99 overhead {added[99]:+.1f} ms "
          f"(target < {TARGET_OVERHEAD_MS:g} ms)")  # fmt: skip
    return ok


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--traders", type=int, default=16)
    parser.add_argument("--strict", action="store_true")
    return parser.parse_args()


if __name__ == "__main__":
    main(bench, parse_args(), "astratrade-gateway-bench-")
