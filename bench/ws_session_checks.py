"""The open sockets' session check (each second: expiry, then every connected user's
session state in one batch) at the hub's scale, per socket, beside its floor.

One process, SQLite in a temporary directory: `--users` users written straight into the
users' table, `--sockets` signed-in sockets spread over them in a hub. Timed, `--rounds`
times each, median:
- the sweep through the users' table (embedded, and the users service itself);
- the sweep through the users service's internal route (every other service), served in
  process over ASGI (no network: what the users service and the JSON add);
- **the floor**: the same batched SELECT of those users' epochs and suspensions, raw,
  through the same engine.
Target: a sweep of 5,000 sockets under 50 ms (5 % of the event loop's second)."""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import httpx
from fastapi import FastAPI
from sqlalchemy import insert, select

from astratrade.entrypoints.realtime.hub import Connection, Hub
from astratrade.entrypoints.realtime.socket_sessions import SocketSessions
from astratrade.infrastructure.db import create_engine, metadata
from astratrade.infrastructure.service_calls import SERVICE_KEY_HEADER
from astratrade.infrastructure.tokens import Claims
from astratrade.shared.clock import SystemClock
from astratrade.users.adapters.http_sessions import HttpSessionStates
from astratrade.users.adapters.sessions import SessionGuard, SqlSessionStates
from astratrade.users.adapters.tables import users
from astratrade.users.api import internal as users_internal
from bench.common import load_average
from bench.common import main as bench_main

KEY = "bench-service-key"
TARGET_SECONDS = 0.05


async def _send(_text: str) -> None:
    return None


async def median_seconds(run: Callable[[], Awaitable[object]], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        await run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def run(args: argparse.Namespace, tmp: Path) -> bool:
    engine = create_engine(f"sqlite:///{tmp / 'sessions.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        user_ids = [str(uuid.uuid4()) for _ in range(args.users)]
        await conn.execute(
            insert(users),
            [
                {
                    "id": u,
                    "email": f"{u}@bench.example",
                    "username": u[:32],
                    "username_key": u[:32],
                    "password_hash": "x",
                    "role": "trader",
                    "kyc": False,
                    "version": 1,
                    "created_at": datetime.now(UTC),
                }
                for u in user_ids
            ],
        )
    hub, expires = Hub(), datetime.now(UTC) + timedelta(hours=1)
    for n in range(args.sockets):
        user = user_ids[n % args.users]
        hub.join(Connection(_send, user, None, Claims(user, "trader", "access", str(n), expires)))

    local = SessionGuard(SqlSessionStates(engine))
    app = FastAPI()
    app.state.settings, app.state.sessions = SimpleNamespace(service_key=KEY), local
    app.include_router(users_internal.router)
    remote = HttpSessionStates("http://users", KEY, 10.0)
    await remote.close()
    remote._client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://users",
        headers={SERVICE_KEY_HEADER: KEY},
    )

    async def floor() -> None:
        async with engine.connect() as conn:
            for start in range(0, args.users, 1000):
                chunk = user_ids[start : start + 1000]
                columns = (users.c.id, users.c.session_epoch, users.c.suspended)
                (await conn.execute(select(*columns).where(users.c.id.in_(chunk)))).all()

    clock = SystemClock()
    embedded = SocketSessions(hub, local, clock)
    service = SocketSessions(hub, SessionGuard(remote), clock)
    bare = await median_seconds(floor, args.rounds)
    here = await median_seconds(embedded.sweep, args.rounds)
    over_http = await median_seconds(service.sweep, args.rounds)
    await remote.close()
    await engine.dispose()
    assert not any(c.closing for c in hub.connections)

    print(
        f"\n{args.sockets} sockets of {args.users} users, median of {args.rounds} "
        f"(load {load_average()})"
    )
    print("| check | per sweep | per socket | vs floor |\n| --- | --- | --- | --- |")
    for name, seconds in (
        ("floor: the batched SELECT", bare),
        ("sweep, users' table", here),
        ("sweep, users' internal route (ASGI)", over_http),
    ):
        print(
            f"| {name} | {seconds * 1000:.1f} ms | {seconds * 1e6 / args.sockets:.2f} µs "
            f"| {seconds / bare:.2f}x |"
        )
    passed = max(here, over_http) < TARGET_SECONDS
    print(
        f"{'PASS' if passed else 'FAIL'}: slowest sweep {max(here, over_http) * 1000:.1f} ms "
        f"< {TARGET_SECONDS * 1000:.0f} ms"
    )
    return passed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=5000)
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--strict", action="store_true")
    bench_main(run, parser.parse_args(), "astratrade-session-checks-")


if __name__ == "__main__":
    main()
