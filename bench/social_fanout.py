"""A post reaching 1,000 connected followers over the WebSocket `feed` channel (embedded
server), beside a bare `websockets` broadcast to as many clients in the same run.

- The platform: `astratrade serve` on a temporary SQLite file (events in process). One
  author and --followers traders signed up through the API (passwords hashed cheaply:
  hashing is not what is measured), each following the author, each connected and
  subscribed to `feed`. The author then posts --posts times, one at a time; each post is
  timed from the moment its POST is sent to its arrival at each follower (the POST's own
  answer included), all followers waited for before the next.
- The floor: bench/bare_ws.py, `websockets.broadcast` of a stamped message to as many
  clients, heard by the same client code in the same process: receipt minus the stamp.

Target (issue): p99 < 250 ms from the POST to arrival at each follower.

    python -m bench.social_fanout [--followers 1000] [--posts 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from bench.common import load_average, percentile
from bench.common import main as bench_main
from bench.orders_http import Server, _spawn, executable, free_port, sign_up, wait_ready

TARGET_P99_MS = 250.0
TOGETHER = 25  # sign-ups, follows and connections in flight at once
FLOOR_RATE = 2.0  # bare broadcasts a second
FLOOR_SECONDS = 5.0


def start_platform(workdir: Path) -> Server:
    port = free_port()
    env = {
        **os.environ,
        "ASTRATRADE_PRICE_FEED": "manual",
        "ASTRATRADE_CLOCK": "system",
        "ASTRATRADE_DATA_DIR": str(workdir / "data"),
        "ASTRATRADE_LOG_LEVEL": "warning",
        "ASTRATRADE_PASSWORD_HASH_TIME_COST": "1",
        "ASTRATRADE_PASSWORD_HASH_MEMORY_KIB": "64",
        "ASTRATRADE_RATE_LIMIT_REGISTER_PER_IP": "",
        "ASTRATRADE_RATE_LIMIT_LOGIN_PER_IP": "",
        "ASTRATRADE_RATE_LIMIT_POSTS_PER_USER": "",
    }
    env.pop("ASTRATRADE_DATABASE_URL", None)
    command = [executable("astratrade"), "serve", "--port", str(port)]
    return _spawn("astratrade", command, env, port, workdir / "platform.log")


def start_bare(workdir: Path) -> Server:
    port = free_port()
    command = [sys.executable, "-m", "bench.bare_ws", "--port", str(port)]
    command += ["--rate", str(FLOOR_RATE)]
    return _spawn("bare", command, dict(os.environ), port, workdir / "bare.log")


async def in_batches(count: int, make: Callable[[int], Any]) -> list[Any]:
    """make(i) for i in range(count), TOGETHER at a time, in order."""
    done: list[Any] = []
    for start in range(0, count, TOGETHER):
        batch = range(start, min(start + TOGETHER, count))
        done += await asyncio.gather(*(make(i) for i in batch))
    return done


class Listener:
    """One client's connection: every message's arrival time, keyed as `key` says."""

    def __init__(self, ws: ClientConnection, key: Callable[[dict[str, Any]], Any]) -> None:
        self.ws = ws
        self.key = key
        self.heard: dict[Any, float] = {}
        self.task = asyncio.create_task(self.listen())

    async def listen(self) -> None:
        async for raw in self.ws:
            at = time.time()
            found = self.key(json.loads(raw))
            if found is not None:
                self.heard[found] = at


def feed_item(message: dict[str, Any]) -> str | None:
    if message.get("channel") == "feed" and message.get("type") == "event":
        return str(message["data"]["post_id"])
    return None


def stamp(message: dict[str, Any]) -> float | None:
    return float(message["data"]["at"]) if message.get("type") == "event" else None


async def subscribed(url: str) -> ClientConnection:
    ws = await connect(url, max_size=2**22, open_timeout=60)
    await ws.send(json.dumps({"type": "subscribe", "channel": "feed"}))
    while json.loads(await ws.recv()).get("type") != "subscribed":
        pass
    return ws


async def platform_run(args: argparse.Namespace, server: Server) -> tuple[list[float], float]:
    """Milliseconds from each POST to each follower's receipt, and the setup's seconds."""
    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        await wait_ready(client, server, within=60)
        _, author = await sign_up(client, 0)
        me = (await client.get("/api/v1/me", headers=author)).json()["username"]

        async def follower(i: int) -> str:
            _, headers = await sign_up(client, i + 1)
            path = f"/api/v1/profiles/{me}/follow"
            for _ in range(100):  # the author's profile opens a moment after sign-up
                answer = await client.post(path, headers=headers)
                if answer.status_code != 404:
                    break
                await asyncio.sleep(0.05)
            answer.raise_for_status()
            return headers["Authorization"].removeprefix("Bearer ")

        tokens = await in_batches(args.followers, follower)
        ws_url = server.url.replace("http", "ws") + "/api/v1/ws?token="
        sockets = await in_batches(len(tokens), lambda i: subscribed(ws_url + tokens[i]))
        listeners = [Listener(ws, feed_item) for ws in sockets]
        setup = time.perf_counter() - started
        latencies: list[float] = []
        try:
            for n in range(args.posts):
                sent = time.time()
                answer = await client.post(
                    "/api/v1/posts", headers=author, json={"text": f"idea {n} on $BTC"}
                )
                answer.raise_for_status()
                post_id = answer.json()["post_id"]
                deadline = time.monotonic() + 10
                while not all(post_id in one.heard for one in listeners):
                    if time.monotonic() > deadline:
                        missing = sum(post_id not in one.heard for one in listeners)
                        raise AssertionError(f"{missing} followers never got post {n}")
                    await asyncio.sleep(0.005)
                latencies += [(one.heard[post_id] - sent) * 1000 for one in listeners]
                await asyncio.sleep(0.2)
        finally:
            await close_all(listeners)
    return latencies, setup


async def floor_run(args: argparse.Namespace, bare: Server) -> list[float]:
    """Milliseconds from each bare broadcast's stamp to each client's receipt."""
    async with httpx.AsyncClient(timeout=30) as probe:
        deadline = time.monotonic() + 30
        while True:
            try:
                await probe.get(bare.url)  # a WebSocket server answers plain HTTP with 4xx
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.1)
    url = bare.url.replace("http", "ws")
    sockets = await in_batches(
        args.followers, lambda _: connect(url, max_size=2**22, open_timeout=60)
    )
    listeners = [Listener(ws, stamp) for ws in sockets]
    listening = time.time()
    await asyncio.sleep(FLOOR_SECONDS)
    await close_all(listeners)
    # Broadcasts sent while the clients were still connecting waited in their buffers.
    return [
        (heard - sent) * 1000
        for one in listeners
        for sent, heard in one.heard.items()
        if sent > listening
    ]


async def close_all(listeners: list[Listener]) -> None:
    for one in listeners:
        one.task.cancel()
    await asyncio.gather(*(one.ws.close() for one in listeners), return_exceptions=True)


async def run(args: argparse.Namespace, workdir: Path) -> bool:
    print(f"load average before: {load_average()} on {os.cpu_count()} CPUs")
    server = start_platform(workdir)
    try:
        latencies, setup = await platform_run(args, server)
    finally:
        server.process.terminate()
        server.process.wait(timeout=30)
    bare = start_bare(workdir)
    try:
        floor = await floor_run(args, bare)
    finally:
        bare.process.terminate()
        bare.process.wait(timeout=30)
    return report(args, latencies, floor, setup)


def report(
    args: argparse.Namespace, latencies: list[float], floor: list[float], setup: float
) -> bool:
    print(
        f"\nA post to {args.followers:,} followers on `feed` (embedded, SQLite), {args.posts} "
        f"posts; set up in {setup:.0f} s; load average now {load_average()}"
    )
    print(f"  {'':<48}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'messages':>10}")
    for name, values in (
        ("POST -> each follower (platform)", latencies),
        ("bare broadcast stamp -> each client (floor)", floor),
    ):
        print(
            f"  {name:<48}{percentile(values, 50):>9.1f}{percentile(values, 99):>9.1f}"
            f"{max(values):>9.1f}{len(values):>10,}"
        )
    p99 = percentile(latencies, 99)
    print(f"  platform p99 is {p99 / percentile(floor, 99):.1f}x the floor's p99")
    passed = p99 < TARGET_P99_MS
    print(
        f"{'PASS' if passed else 'FAIL'}  a post reaches {args.followers:,} followers: p99 "
        f"{p99:.0f} ms (target < {TARGET_P99_MS:.0f} ms)"
    )
    return passed


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=1000)
    parser.add_argument("--posts", type=int, default=10)
    parser.add_argument("--strict", action="store_true", help="exit 1 when the target fails")
    return parser.parse_args()


def main() -> None:
    bench_main(run, parse_args(), "astratrade-bench-social-fanout-")


if __name__ == "__main__":
    main()
