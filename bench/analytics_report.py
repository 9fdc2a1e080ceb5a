"""Trader analytics of one account with 10,000 closed trades over a year, through the
embedded app in process (`GET /api/v1/analytics/accounts/{id}?period=all` and `30d`), beside
the floor of the same app in the same run: `GET /api/v1/me` (the bearer token and session
check, one small read, a JSON answer).

The app of `astratrade serve` (manual price feed, system clock) runs on a PostgreSQL
database of the run's own (created beside --postgres-url, dropped at the end) or on a
SQLite file (`--database sqlite`), called straight through ASGI with httpx. A trader
signs up over HTTP (its practice account reaches the read model from its events); then the
read model is filled in straight: 10,000 closed trades over 365 days in three markets (with
their daily calendar and running totals per market and side, as the projection keeps
them), the
account's collateral every day, a BTC position changing every day and the 1d candles
marking it. Target: p99 < 50 ms for `period=all` (--strict exits 1 when missed).

    .venv/bin/python -m bench.analytics_report   # --trades 10000 --queries 200
                                                 # --database postgres|sqlite
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import delete, insert, update
from sqlalchemy.engine import make_url

from astratrade.analytics.adapters.tables import (
    account_days,
    candles,
    closed_trades,
    position_days,
    trade_calendar,
    trade_totals,
    trader_accounts,
)
from astratrade.analytics.domain.report import day_totals
from astratrade.analytics.domain.totals import TradeTotals
from astratrade.analytics.domain.trades import ClosedTrade, Side
from astratrade.config import Settings
from astratrade.entrypoints.app import create_app
from astratrade.infrastructure.db import create_engine
from bench.common import load_average, percentile, postgres_admin
from bench.common import main as bench_main

DEFAULT_POSTGRES = os.environ.get(
    "ASTRATRADE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
TARGET_P99_MS = 50.0
DAYS = 365
MARKETS = ("BTC-USD", "ETH-USD", "SOL-USD")
TRADER = {"email": "ana@example.com", "username": "ana", "password": "correct horse battery"}


def journal(account: str, trades: int, now: datetime) -> dict[str, list[dict[str, Any]]]:
    """A year of an active trader's read model (deterministic figures)."""
    start = now - timedelta(days=DAYS)
    closed = []
    for n in range(trades):
        closed_at = start + timedelta(seconds=(DAYS * 86_400 - 60) * (n + 1) // trades)
        closed.append(
            {
                "trade_id": f"t{n:06d}",
                "account_id": account,
                "market": MARKETS[n % 3],
                "side": Side.LONG if n % 2 else Side.SHORT,
                "opened_at": closed_at - timedelta(minutes=5 + n % 90),
                "closed_at": closed_at,
                "realized_pnl": Decimal((n * 37) % 200 - 95) / 4,
                "fees": Decimal("1.25"),
                "funding": Decimal((n % 7) - 3) / 100,
                "risk_at_stop": Decimal(40) if n % 3 == 0 else None,
            }
        )
    days, positions, bars = [], [], []
    collateral = Decimal(10_000)
    for d in range(DAYS + 1):
        day = (start + timedelta(days=d)).date()
        collateral += Decimal((d * 53) % 300 - 140)
        days.append(
            {
                "account_id": account,
                "day": day,
                "collateral": collateral,
                "flows": Decimal(10_000) if d == 0 else Decimal(0),
            }
        )
        positions.append(
            {
                "account_id": account,
                "market": "BTC-USD",
                "day": day,
                "size": Decimal(d % 5) / 10,
                "entry_price": Decimal(60_000),
            }
        )
        mark = Decimal(60_000 + (d * 131) % 4_000 - 2_000)
        bars.append(
            {
                "market": "BTC-USD",
                "interval": "1d",
                "open_time": datetime(day.year, day.month, day.day, tzinfo=UTC),
                "open": mark,
                "high": mark,
                "low": mark,
                "close": mark,
            }
        )
    calendar: dict[Any, list[Any]] = {}
    running: dict[tuple[str, str], TradeTotals] = {}
    totals = []
    for d in day_totals(
        ClosedTrade(**{k: v for k, v in t.items() if k not in ("trade_id", "account_id")})
        for t in closed
    ):  # oldest first, as the projection writes them
        day = calendar.setdefault(d.day, [0, Decimal(0)])
        day[0] += d.totals.trades
        day[1] += d.totals.net_pnl
        key = (d.market, d.side.value)
        running[key] = running.get(key, TradeTotals()) + d.totals
        totals.append(
            {"account_id": account, "market": key[0], "side": key[1], "day": d.day}
            | asdict(running[key])
        )
    days_closed = [
        {"account_id": account, "day": day, "trades": n, "net_pnl": net}
        for day, (n, net) in calendar.items()
    ]
    return {
        "closed": closed,
        "calendar": days_closed,
        "totals": totals,
        "days": days,
        "positions": positions,
        "bars": bars,
    }


async def signed_in_trader(client: httpx.AsyncClient) -> tuple[str, str]:
    (await client.post("/auth/register", json=TRADER)).raise_for_status()
    login = {"username": TRADER["username"], "password": TRADER["password"]}
    token = (await client.post("/auth/login", json=login)).json()["access_token"]
    bearer = {"authorization": f"Bearer {token}"}
    for _ in range(200):  # the practice account opens from the sign-up's event
        accounts = (await client.get("/accounts", headers=bearer)).json()
        if accounts:
            return token, accounts[0]["account_id"]
        await asyncio.sleep(0.05)
    raise RuntimeError("no practice account after 10 s")


async def timed(call: Callable[[], Awaitable[None]], count: int) -> list[float]:
    values = []
    for _ in range(count):
        started = time.perf_counter()
        await call()
        values.append((time.perf_counter() - started) * 1000)
    return values


async def measure(args: argparse.Namespace, url: str) -> bool:
    settings = Settings(
        database_url=url,
        clock="system",
        price_feed="manual",
        password_hash_time_cost=1,
        password_hash_memory_kib=8,
        password_hash_parallelism=1,
    )
    app = create_app(settings=settings, metrics=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app/api/v1") as client:
            token, account = await signed_in_trader(client)
            client.headers["authorization"] = f"Bearer {token}"
            now = datetime.now(UTC)
            rows = journal(account, args.trades, now)
            db = create_engine(url)
            try:
                for _ in range(200):  # the account's row, from AccountOpened
                    if (await client.get(f"/analytics/accounts/{account}")).status_code == 200:
                        break
                    await asyncio.sleep(0.05)
                async with db.begin() as conn:  # the year replaces the sign-up's grant day
                    d = account_days.c
                    await conn.execute(delete(account_days).where(d.account_id == account))
                    await conn.execute(insert(closed_trades), rows["closed"])
                    await conn.execute(insert(trade_calendar), rows["calendar"])
                    await conn.execute(insert(trade_totals), rows["totals"])
                    await conn.execute(insert(account_days), rows["days"])
                    await conn.execute(insert(position_days), rows["positions"])
                    await conn.execute(insert(candles), rows["bars"])
                    a = trader_accounts.c
                    await conn.execute(
                        update(trader_accounts)
                        .where(a.account_id == account)
                        .values(opened_on=(now - timedelta(days=DAYS)).date())
                    )
            finally:
                await db.dispose()

            async def get(path: str) -> None:
                response = await client.get(path)
                assert response.status_code == 200, response.text

            report = (await client.get(f"/analytics/accounts/{account}?period=all")).json()
            assert report["metrics"]["trades"] == args.trades, report["metrics"]
            assert len(report["equity_curve"]) == DAYS + 1
            everything = f"/analytics/accounts/{account}?period=all"
            month = f"/analytics/accounts/{account}?period=30d"
            for path in (everything, month, "/me"):  # warm: plans, pool, caches
                await get(path)
            if os.environ.get("ANALYTICS_PROFILE"):  # where a read's time goes
                import cProfile
                import pstats

                profile = cProfile.Profile()
                profile.enable()
                await timed(lambda: get(everything), 20)
                profile.disable()
                pstats.Stats(profile).sort_stats("tottime").print_stats(25)
            floor = await timed(lambda: get("/me"), args.queries)
            year = await timed(lambda: get(everything), args.queries)
            recent = await timed(lambda: get(month), args.queries)
    print(f"  {'':<44}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for name, values in (
        ("floor: GET /me (same app, same run)", floor),
        ("GET /analytics/accounts/{id}?period=all", year),
        ("GET /analytics/accounts/{id}?period=30d", recent),
    ):
        print(
            f"  {name:<44}{percentile(values, 50):>9.1f}{percentile(values, 99):>9.1f}"
            f"{max(values):>9.1f}"
        )
    p99 = percentile(year, 99)
    print(
        f"  period=all p99 / floor p99: {p99 / percentile(floor, 99):.1f}x; "
        f"p99 < {TARGET_P99_MS:.0f} ms: {'PASS' if p99 < TARGET_P99_MS else 'FAIL'}"
    )
    return p99 < TARGET_P99_MS


async def run(args: argparse.Namespace, workdir: Path) -> bool:
    print(f"load average before: {load_average()} on {os.cpu_count()} CPUs")
    print(f"{args.trades} closed trades over {DAYS} days, {args.queries} reads each")
    if args.database == "sqlite":
        print("SQLite:")
        return await measure(args, f"sqlite+aiosqlite:///{workdir / 'analytics.db'}")
    database = f"astratrade_bench_{uuid.uuid4().hex[:10]}"
    await postgres_admin(args.postgres_url, f'CREATE DATABASE "{database}"')
    url = make_url(args.postgres_url).set(database=database).render_as_string(False)
    try:
        print("PostgreSQL:")
        return await measure(args, url)
    finally:
        await postgres_admin(
            args.postgres_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'
        )
        print(f"load average now {load_average()}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trades", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    return parser.parse_args()


def main() -> None:
    bench_main(run, parse_args(), "astratrade-bench-analytics-")


if __name__ == "__main__":
    main()
