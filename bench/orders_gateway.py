"""Order placement through the gateway of distributed mode, beside embedded mode and the
trading service called directly, in one run, all on PostgreSQL and Redis.

Starts `astratrade serve` (embedded: every context in one process) on one fresh database
and Redis prefix, and `astratrade up --distributed` (relay, four services, gateway) on
another. Each gets --traders traders. Then, in turns, an open-loop schedule of --rate
market orders a second for --seconds (bench.orders_http's: latency counts from when a
request was due) against: embedded, the trading service directly, and the gateway in front
of it. The gateway's added latency is gateway minus direct, percentile by percentile; a
closed loop of --concurrency clients gives each layout's throughput.

Target (issue): the gateway adds under 10 ms at p99. The rate is one every layout sustains
on this machine (the closed loop shows the ceiling): above it, queues measure capacity,
not the gateway.

    python -m bench.orders_gateway [--rate 50] [--seconds 10] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import subprocess
import time
import uuid
from collections.abc import AsyncIterator
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
    sender,
    wait_ready,
)

TARGET_OVERHEAD_MS = 10.0
ADMIN_URL = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/0")
SECRET = "bench-secret-that-is-long-enough-for-hs256-0123456789"  # noqa: S105 - a bench run's own


def settings_env(workdir: Path, database: str, prefix: str) -> dict[str, str]:
    url = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("ASTRATRADE_")},
        "ASTRATRADE_DATABASE_URL": f"{url}/{database}",
        "ASTRATRADE_REDIS_URL": REDIS_URL,
        "ASTRATRADE_REDIS_PREFIX": prefix,
        "ASTRATRADE_PRICE_FEED": "manual",
        "ASTRATRADE_CLOCK": "system",
        "ASTRATRADE_LOG_LEVEL": "warning",
        "ASTRATRADE_JWT_SECRET": SECRET,
        "ASTRATRADE_DATA_DIR": str(workdir),
        "ASTRATRADE_RATE_LIMIT_REGISTER_PER_IP": "",
        "ASTRATRADE_RATE_LIMIT_ORDERS_PER_USER": "",
        "ASTRATRADE_RATE_LIMIT_ORDERS_PER_IP": "",
        "ASTRATRADE_RATE_LIMIT_REQUESTS_PER_IP": "",
    }


def spawn(name: str, command: list[str], env: dict[str, str], url: str, log: Path) -> Server:
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
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


async def interleaved(urls: dict[str, str], traders: list[Trader], args: Args) -> dict[str, Run]:
    """One open-loop schedule, request i to target i % len(urls): every target meets the
    same moments of the machine, so their difference is the layer between them."""
    pools = {name: Connections(url, args.concurrency * 4) for name, url in urls.items()}
    sends = [
        (name, sender(pool, "/api/v1/orders", traders, platform=True))
        for name, pool in pools.items()
    ]
    latencies: dict[str, list[float]] = {name: [] for name in urls}
    errors = dict.fromkeys(urls, 0)

    async def one(i: int, due: float) -> None:
        name, send = sends[i % len(sends)]
        ok = await send(i // len(sends))
        latencies[name].append((time.perf_counter() - due) * 1000)
        errors[name] += not ok

    try:
        for seconds in (1.0, args.seconds):  # a warm-up second, then the timed run
            for name in urls:
                latencies[name].clear()
                errors[name] = 0
            tasks: list[asyncio.Task[None]] = []
            start = time.perf_counter() + 0.01
            for i in range(round(args.rate * seconds)):
                due = start + i / args.rate
                if (delay := due - time.perf_counter()) > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(one(i, due)))
            await asyncio.gather(*tasks)
        return {name: Run(args.seconds, latencies[name], errors[name]) for name in urls}
    finally:
        for pool in pools.values():
            await pool.aclose()


async def flat_out(server: Server, url: str, traders: list[Trader], args: Args) -> Run:
    connections = Connections(url, args.concurrency)
    try:
        send = sender(connections, "/api/v1/orders", traders, platform=True)
        return await closed_loop(send, server, args.concurrency, args.seconds)
    finally:
        await connections.aclose()


async def bench(args: argparse.Namespace, workdir: Path) -> bool:
    """Embedded first, alone on the machine; then distributed mode."""
    run_id = uuid.uuid4().hex[:8]
    admin = await asyncpg.connect(ADMIN_URL)
    try:
        timed: dict[str, Run] = {}
        flat: dict[str, Run] = {}
        port = free_port()
        async with layout(
            admin,
            f"bench_gw_{run_id}_e",
            f"bench-{run_id}-e:",
            workdir,
            ["serve", "--port", str(port)],
            port,
        ) as (embedded, _):
            people = await traders_of(embedded, args.traders)
            print(f"  embedded: {args.rate:g} orders/s, then {args.concurrency} clients ...")
            timed |= await interleaved({"embedded": embedded.url}, people, args)
            flat["embedded"] = await flat_out(embedded, embedded.url, people, args)
        port = free_port()
        distributed = ["up", "--distributed", "--port", str(port)]
        async with layout(
            admin, f"bench_gw_{run_id}_d", f"bench-{run_id}-d:", workdir, distributed, port
        ) as (up, direct):
            people = await traders_of(up, args.traders)
            print(
                f"  distributed: {args.rate:g} orders/s alternating trading direct and the "
                f"gateway, then {args.concurrency} clients each ..."
            )
            urls = {"trading direct": direct, "gateway": up.url}
            timed |= await interleaved(urls, people, args)
            for name, url in urls.items():
                flat[name] = await flat_out(up, url, people, args)
        return report({name: (timed[name], flat[name]) for name in timed}, args)
    finally:
        await admin.close()
        keys = aioredis.from_url(REDIS_URL)
        async for key in keys.scan_iter(match=f"bench-{run_id}-*"):
            await keys.delete(key)
        await keys.aclose()


@contextlib.asynccontextmanager
async def layout(
    admin: asyncpg.Connection,
    database: str,
    prefix: str,
    workdir: Path,
    args: list[str],
    port: int,
    settings: dict[str, str] | None = None,
) -> AsyncIterator[tuple[Server, str]]:
    """A fresh database, the platform started on it (and the trading service's URL, the
    first replica's when there are several), stopped and dropped afterwards. `settings`:
    ASTRATRADE_ variables over the bench's own."""
    await admin.execute(f'CREATE DATABASE "{database}"')
    env = settings_env(workdir, database, prefix) | (settings or {})
    server = spawn(
        args[0],
        [executable("astratrade"), *args],
        env,
        f"http://127.0.0.1:{port}",
        workdir / f"{database}.log",
    )
    try:
        direct = trading_url(server) if args[0] == "up" else server.url
        await ready(direct)
        yield server, direct
    finally:
        server.stop()
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def report(runs: dict[str, tuple[Run, Run]], args: argparse.Namespace) -> bool:
    print(
        f"\nOrders over HTTP on PostgreSQL + Redis, open loop at {args.rate:g}/s for "
        f"{args.seconds:g} s; load {load_average()} on {os.cpu_count()} CPUs"
    )
    print(f"{'':<16}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'errors':>8}{'orders/s flat out':>19}")
    for name, (timed, flat) in runs.items():
        print(
            f"{name:<16}{timed.percentile(50):>9.1f}{timed.percentile(90):>9.1f}"
            f"{timed.percentile(99):>9.1f}{timed.errors:>8}"
            f"{flat.per_second:>19,.0f}"
        )
    gateway, direct = runs["gateway"][0], runs["trading direct"][0]
    added = {q: gateway.percentile(q) - direct.percentile(q) for q in (50, 90, 99)}
    print("the gateway adds: " + ", ".join(f"p{q} {ms:+.1f} ms" for q, ms in added.items()))
    ok = added[99] < TARGET_OVERHEAD_MS and gateway.errors == 0
    print(
        f"{'PASS' if ok else 'FAIL'}  gateway p99 overhead {added[99]:+.1f} ms "
        f"(target < {TARGET_OVERHEAD_MS:g} ms)"
    )
    return ok


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--traders", type=int, default=16)
    parser.add_argument("--strict", action="store_true")
    return parser.parse_args()


if __name__ == "__main__":
    main(bench, parse_args(), "astratrade-gateway-bench-")
