"""The leader directory and one leader's page (PostgreSQL) through the real view functions:
1,000 leaders, each with 60 closed positions within the last 90 days (60,000 rows), read
as `GET /leaders?sort=roi_30d` and `GET /leaders/{username}` read them.

The rows are written straight into copy trading's tables (not through the API), and each
leader's statistics computed into their table as the practice read model keeps them at a
close. The directory reads them sorted in SQL (an index a sort, a keyset cursor): target
p99 < 50 ms for the first page at 1,000 leaders (--strict exits 1 when missed)."""

from __future__ import annotations

import argparse
import os
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import make_url

import astratrade.tables  # noqa: F401  (every table on the metadata)
from astratrade.copytrading import views
from astratrade.copytrading.adapters import statistics
from astratrade.copytrading.adapters.tables import (
    closed_positions,
    leader_statistics,
    leaders,
    traders,
)
from astratrade.infrastructure.db import create_engine
from astratrade.infrastructure.migrations import migrate
from bench.common import load_average, percentile, postgres_admin
from bench.common import main as bench_main

DEFAULT_POSTGRES = os.environ.get(
    "ASTRATRADE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
NOW = datetime(2026, 3, 31, 12, tzinfo=UTC)
TARGET_P99_MS = 50.0


def rows(count: int, closes: int) -> tuple[list[dict[str, Any]], ...]:
    names = [
        {"user_id": f"u{i}", "username": f"U{i}", "username_key": f"u{i}"} for i in range(count)
    ]
    leading = [
        {
            "user_id": f"u{i}",
            "account_id": f"a{i}",
            "profit_share": Decimal("0.1"),
            "active": True,
            "version": 1,
        }
        for i in range(count)
    ]
    closed = []
    for i in range(count):
        for n in range(closes):
            at = NOW - timedelta(hours=36 * n + i % 7)
            closed.append(
                {
                    "position_id": f"p{i}-{n}",
                    "account_id": f"a{i}",
                    "owner_id": f"u{i}",
                    "market": "ETH-USD",
                    "opened_at": at - timedelta(hours=2),
                    "closed_at": at,
                    "realized_pnl": Decimal((i * 7 + n * 13) % 200 - 90),
                    "equity_at_open": Decimal(10000),
                    "liquidated": False,
                }
            )
    return names, leading, closed


async def timed(call) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    await call()
    return (time.perf_counter() - started) * 1000


async def run(args: argparse.Namespace, _workdir: Path) -> bool:
    print(f"load average before: {load_average()} on {os.cpu_count()} CPUs")
    database = f"astratrade_bench_{uuid.uuid4().hex[:10]}"
    await postgres_admin(args.postgres_url, f'CREATE DATABASE "{database}"')
    url = make_url(args.postgres_url).set(database=database).render_as_string(False)
    db = create_engine(url)
    read_db = create_engine(url, read_only=True)
    try:
        await migrate(db)
        names, leading, closed = rows(args.leaders, args.closes)
        async with db.begin() as conn:
            await conn.execute(insert(traders), names)
            await conn.execute(insert(leaders), leading)
            await conn.execute(insert(closed_positions), closed)
            zeros = [statistics.zero_row(f"u{i}", f"a{i}") for i in range(args.leaders)]
            await conn.execute(insert(leader_statistics), zeros)
        # What a close adds to the practice read model's transaction: one account's
        # statistics recomputed from its closes, each in a transaction of its own.
        refreshes = []
        for i in range(args.leaders):
            async with db.begin() as conn:
                started = time.perf_counter()
                await conn.run_sync(statistics.refresh, f"a{i}", NOW)
                refreshes.append((time.perf_counter() - started) * 1000)

        async def directory() -> None:
            page = await views.directory(read_db, "viewer", "roi_30d", None, 20)
            assert len(page.items) == min(20, args.leaders)

        deep: list[str | None] = [None]  # the cursor of the page after the first half

        async def walk_to_the_middle() -> None:
            cursor = None
            for _ in range(args.leaders // 40):
                page = await views.directory(read_db, "viewer", "roi_30d", cursor, 20)
                cursor = page.next_cursor
            deep[0] = cursor

        async def middle() -> None:
            await views.directory(read_db, "viewer", "roi_30d", deep[0], 20)

        async def one() -> None:
            await views.leader_by_username(read_db, "viewer", f"u{args.leaders // 2}")

        await directory()  # warm: plans, pool, PostgreSQL's cache
        await one()
        await walk_to_the_middle()
        pages = [await timed(directory) for _ in range(args.queries)]
        middles = [await timed(middle) for _ in range(args.queries)]
        pages_of_one = [await timed(one) for _ in range(args.queries)]
    finally:
        await db.dispose()
        await read_db.dispose()
        await postgres_admin(
            args.postgres_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'
        )
    print(
        f"{args.leaders} leaders x {args.closes} closes, {args.queries} reads each; "
        f"load average now {load_average()}"
    )
    print(f"  {'':<40}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for name, values in (
        ("GET /leaders first page (the view)", pages),
        ("GET /leaders a middle page (cursor)", middles),
        ("GET /leaders/{username} (the view)", pages_of_one),
        (f"a close's statistics ({args.closes} closes)", refreshes),
    ):
        print(
            f"  {name:<40}{percentile(values, 50):>9.1f}{percentile(values, 99):>9.1f}"
            f"{max(values):>9.1f}"
        )
    met = percentile(pages, 99) < TARGET_P99_MS
    print(f"  first page p99 < {TARGET_P99_MS:.0f} ms: {'met' if met else 'MISSED'}")
    return met


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaders", type=int, default=1_000)
    parser.add_argument("--closes", type=int, default=60)
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    return parser.parse_args()


def main() -> None:
    bench_main(run, parse_args(), "astratrade-bench-copy-leaders-")


if __name__ == "__main__":
    main()
