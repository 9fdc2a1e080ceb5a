"""A leader fill through copy trading's worker (PostgreSQL): 500 active copies of one
leader, each leader fill decided for all of them, every copier's account read in one
batched call and every decision recorded in one unit of work (copies, history lines, audit
log, outbox, tracking row), as `LeaderFilled` is handled.

Trading's read of the copy accounts is an in-memory stand-in here (its cost is trading's
`copy_states`), so the figure is copy trading's share of "leader fill to all copier
fills": target p99 < 250 ms for the whole path (--strict exits 1 when this share alone
misses it)."""

from __future__ import annotations

import argparse
import os
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.engine import make_url

import astratrade.tables  # noqa: F401  (every table on the metadata)
from astratrade.copy_accounts import market_rules
from astratrade.copytrading.adapters.copy_rows import copy_row
from astratrade.copytrading.adapters.repository import SqlCopyTradingUnitOfWork
from astratrade.copytrading.adapters.tables import copies, copy_decisions
from astratrade.copytrading.domain.copies import Copy
from astratrade.copytrading.domain.rules import DEFAULT_RULES
from astratrade.copytrading.handlers import following
from astratrade.copytrading.handlers.common import Tools
from astratrade.copytrading.ports import CopyAccountState, CopyStates
from astratrade.infrastructure.db import create_engine
from astratrade.infrastructure.migrations import migrate
from astratrade.shared.clock import ManualClock
from astratrade.shared.delivery import Delivery
from astratrade.shared.ids import new_id
from astratrade.shared.messages import Envelope
from astratrade.trading.domain.markets import DEFAULT_MARKETS
from bench.common import load_average, percentile, postgres_admin
from bench.common import main as bench_main

DEFAULT_POSTGRES = os.environ.get(
    "ASTRATRADE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
NOW = datetime(2026, 3, 4, 12, tzinfo=UTC)
TARGET_P99_MS = 250.0
WARM_UP = 2


class Accounts:
    """Every copy account with 1,000 and the position the last decision left it."""

    def __init__(self) -> None:
        self.position = Decimal(0)

    async def states(self, account_ids: Sequence[str], market: str) -> CopyStates:
        state = CopyAccountState(
            Decimal(1000), Decimal(1000), Decimal(1000), self.position, Decimal(20)
        )
        return CopyStates(Decimal(60000), dict.fromkeys(account_ids, state))


class Discard:
    def committed(self, envelopes: list[Envelope]) -> None:
        return None


def a_copy(i: int) -> Copy:
    return Copy(
        f"copy-{i}",
        copier_id=f"u{i}",
        leader_id="ada",
        source_account_id=f"s{i}",
        copy_account_id=f"a{i}",
        leader_account_id="ada-practice",
        allocation=Decimal(1000),
        max_loss=Decimal("0.5"),
        profit_share=Decimal("0.1"),
        started_at=NOW,
        funded=True,
    )


def leader_fill(n: int) -> Envelope:
    """Even fills open 0.5 BTC from flat, odd ones close it."""
    opening = n % 2 == 0
    payload = {
        "fill_id": f"f{n}",
        "account_id": "ada-practice",
        "owner_id": "ada",
        "market": "BTC-USD",
        "side": "buy" if opening else "sell",
        "size": "0.5",
        "price": "60000",
        "position_before": "0" if opening else "0.5",
        "equity": "120000",
        "leverage": "10",
        "liquidation": False,
    }
    return Envelope(
        event_id=new_id(),
        type="LeaderFilled",
        version=1,
        context="trading",
        aggregate_id="ada-practice",
        aggregate_version=n + 1,
        occurred_at=NOW,
        payload=payload,
    )


async def run(args: argparse.Namespace, _workdir: Path) -> bool:
    print(f"load average before: {load_average()} on {os.cpu_count()} CPUs")
    database = f"astratrade_bench_{uuid.uuid4().hex[:10]}"
    await postgres_admin(args.postgres_url, f'CREATE DATABASE "{database}"')
    url = make_url(args.postgres_url).set(database=database).render_as_string(False)
    db = create_engine(url)
    accounts, clock = Accounts(), ManualClock(NOW)
    try:
        await migrate(db)
        async with db.begin() as conn:
            rows = [{**copy_row(a_copy(i)), "profit_share_earned": 0} for i in range(args.copies)]
            await conn.execute(insert(copies), rows)

        def new_uow(delivery: Delivery | None = None) -> SqlCopyTradingUnitOfWork:
            return SqlCopyTradingUnitOfWork(db, Discard(), clock, new_id, delivery=delivery)

        markets = market_rules(list(DEFAULT_MARKETS))
        tools = Tools(new_uow, clock, DEFAULT_RULES, accounts, markets, new_id, 1)
        times = []
        for n in range(args.fills + WARM_UP):
            fill = leader_fill(n)
            started = time.perf_counter()
            uow = new_uow(Delivery("copytrading", fill.event_id))
            decided = await following.on_leader_filled(fill, uow, tools)
            if n >= WARM_UP:  # the first ones prepare statements and fill caches
                times.append((time.perf_counter() - started) * 1000)
            assert decided == args.copies
            accounts.position = Decimal("0.00416") if n % 2 == 0 else Decimal(0)
        async with db.connect() as conn:
            lines = await conn.scalar(select(func.count()).select_from(copy_decisions))
        assert lines == args.copies * (args.fills + WARM_UP), lines
    finally:
        await db.dispose()
        await postgres_admin(
            args.postgres_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'
        )
    print(f"{args.copies} copies of one leader, {args.fills} leader fills; load {load_average()}")
    print(f"  {'':<44}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    name = "LeaderFilled: decide and record for all"
    print(
        f"  {name:<44}{percentile(times, 50):>9.1f}{percentile(times, 99):>9.1f}{max(times):>9.1f}"
    )
    met = percentile(times, 99) < TARGET_P99_MS
    print(f"  p99 < {TARGET_P99_MS:.0f} ms: {'met' if met else 'MISSED'}")
    return met


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=500)
    parser.add_argument("--fills", type=int, default=100)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    return parser.parse_args()


def main() -> None:
    bench_main(run, parse_args(), "astratrade-bench-copy-fills-")


if __name__ == "__main__":
    main()
