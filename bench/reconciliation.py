"""The ledger at scale on PostgreSQL: a full reconciliation of 1,000,000 postings, and
postings written per second through the ledger's own projection, each beside its floor in
the same run.

A database of our own is created beside --postgres-url and dropped at the end:
1. setup (not timed): --accounts trader accounts in trading_accounts, and --postings
   ledger postings in balanced entries of two (trader and house, as a grant or a trade
   settles), loaded with COPY; each account's collateral is the sum of its postings, so
   the reconciliation must prove every one;
2. reconciliation: `astratrade.financial.reconciliation.reconciliation` (what
   `astratrade reconcile` and GET /admin/reconciliation run) timed --rounds times; the floor
   is the bare aggregate it needs, `SELECT account, sum(amount_micros) ... GROUP BY account`
   plus the collateral read, with asyncpg in the same run;
3. postings/s: --events OrderFilled facts (three postings each) through
   `projections.apply_once(writer, LEDGER, ...)`, one transaction each with its tracking row
   as the in-process dispatcher applies them; the floor inserts the same entry and posting
   rows with asyncpg executemany, one transaction each.

Target (issue): reconciliation of 1M postings under 10 s on PostgreSQL.

    python -m bench.reconciliation [--postings 1000000] [--accounts 10000] [--events 2000]
                                   [--rounds 3] [--strict]
"""

from __future__ import annotations

import argparse
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import asyncpg
from sqlalchemy import make_url

from astratrade.financial.domain.ledger import FEE_REVENUE, HOUSE
from astratrade.financial.projections import LEDGER
from astratrade.financial.reconciliation import reconciliation
from astratrade.infrastructure import projections
from astratrade.infrastructure.db import async_url, create_engine
from astratrade.infrastructure.migrations import migrate
from astratrade.infrastructure.writer import writer_for
from astratrade.shared.delivery import Delivery
from astratrade.shared.messages import Envelope
from astratrade.trading.views import collateral_by_account
from bench import common
from bench.common import load_average, postgres_admin
from bench.events_pipeline import DEFAULT_POSTGRES

TARGET_SECONDS = 10.0
AT = datetime(2026, 12, 1, tzinfo=UTC)


def plain_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def load_ledger(dsn: str, accounts: int, postings: int) -> None:
    """Balanced entries of two postings, round-robin over the accounts; collateral to match."""
    conn = await asyncpg.connect(dsn)
    try:
        entry_rows, posting_rows = [], []
        balances = [0] * accounts
        for n in range(postings // 2):
            account = n % accounts
            micros = (n % 2_000 - 900) * 1_000_003  # gains and losses, odd cents
            entry_id = f"e-{n}"
            entry_rows.append((entry_id, "trade", AT))
            posting_rows += [(entry_id, f"acct-{account}", micros), (entry_id, HOUSE, -micros)]
            balances[account] += micros
        await conn.copy_records_to_table(
            "financial_entries",
            records=entry_rows,
            columns=["entry_id", "kind", "at"],
            schema_name="financial",
        )
        await conn.copy_records_to_table(
            "financial_postings",
            records=posting_rows,
            columns=["entry_id", "account", "amount_micros"],
            schema_name="financial",
        )
        house = -sum(balances)
        trading_rows = [
            (f"acct-{n}", f"owner-{n}", "practice", "USD", Decimal(b) / 1_000_000, 1, AT)
            for n, b in enumerate(balances)
        ] + [(HOUSE, None, "house", "USD", Decimal(house) / 1_000_000, 1, AT)]
        await conn.copy_records_to_table(
            "trading_accounts",
            records=trading_rows,
            columns=["id", "owner_id", "kind", "currency", "collateral", "version", "created_at"],
            schema_name="trading",
        )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


async def bare_aggregate(dsn: str) -> float:
    conn = await asyncpg.connect(dsn)
    try:
        started = time.perf_counter()
        # Each context's tables live in its own PostgreSQL schema.
        await conn.fetch(
            "SELECT account, sum(amount_micros) FROM financial.financial_postings GROUP BY account"
        )
        await conn.fetch("SELECT id, collateral FROM trading.trading_accounts")
        return time.perf_counter() - started
    finally:
        await conn.close()


def fill(n: int) -> Envelope:
    return Envelope(
        event_id=str(uuid.uuid4()),
        type="OrderFilled",
        version=1,
        context="trading",
        aggregate_id=f"acct-{n % 100}",
        aggregate_version=n + 1,
        occurred_at=AT,
        payload={"account_id": f"acct-{n % 100}", "realized_pnl": "12.345678", "fee": "1.5"},
    )


async def postings_through_ledger(url: str, events: int) -> float:
    """Seconds to apply `events` fills through the ledger projection, one at a time."""
    db = create_engine(url)
    writer = writer_for(url, db)
    try:
        started = time.perf_counter()
        for n in range(events):
            envelope = fill(n)
            delivery = Delivery(LEDGER.name, envelope.event_id)
            await projections.apply_once(writer, LEDGER, envelope, delivery, AT)
        return time.perf_counter() - started
    finally:
        await writer.close()
        await db.dispose()


async def postings_bare(dsn: str, events: int) -> float:
    conn = await asyncpg.connect(dsn)
    try:
        started = time.perf_counter()
        for n in range(events):
            entry_id = f"bare-{n}"
            async with conn.transaction():
                await conn.execute(
                    "INSERT INTO financial.financial_entries (entry_id, kind, at) "
                    "VALUES ($1, 'trade', $2)",
                    entry_id,
                    AT,
                )
                await conn.executemany(
                    "INSERT INTO financial.financial_postings (entry_id, account, amount_micros) "
                    "VALUES ($1, $2, $3)",
                    [
                        (entry_id, "acct-1", 10_845_678),
                        (entry_id, HOUSE, -12_345_678),
                        (entry_id, FEE_REVENUE, 1_500_000),
                    ],
                )
        return time.perf_counter() - started
    finally:
        await conn.close()


async def run(args: argparse.Namespace, _workdir: Path) -> bool:
    database = f"astratrade_bench_{uuid.uuid4().hex[:10]}"
    await postgres_admin(args.postgres_url, f'CREATE DATABASE "{database}"')
    url = async_url(
        make_url(args.postgres_url).set(database=database).render_as_string(hide_password=False)
    )
    try:
        engine = create_engine(url)
        await migrate(engine)
        started = time.perf_counter()
        await load_ledger(plain_dsn(url), args.accounts, args.postings)
        print(
            f"loaded {args.postings:,} postings over {args.accounts:,} accounts in "
            f"{time.perf_counter() - started:.1f} s (not timed)"
        )
        timings, proven = [], True
        for _ in range(args.rounds):
            started = time.perf_counter()
            report = await reconciliation(engine, lambda: collateral_by_account(engine))
            timings.append(time.perf_counter() - started)
            proven = proven and report.proven and report.accounts == args.accounts + 1
        floor = min([await bare_aggregate(plain_dsn(url)) for _ in range(args.rounds)])
        await engine.dispose()
        ledger_seconds = await postings_through_ledger(url, args.events)
        bare_seconds = await postings_bare(plain_dsn(url), args.events)
    finally:
        await postgres_admin(
            args.postgres_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'
        )
    best = min(timings)
    per_second = args.events * 3 / ledger_seconds
    bare_per_second = args.events * 3 / bare_seconds
    print(f"\nLedger on PostgreSQL; load average {load_average()}")
    print(
        f"reconciliation of {args.postings:,} postings: best {best:.2f} s of "
        f"{', '.join(f'{t:.2f}' for t in timings)}; floor (bare GROUP BY + collateral read) "
        f"{floor:.2f} s: {best / floor:.1f}x; every account proven: {proven}"
    )
    print(
        f"postings through the ledger projection: {per_second:,.0f}/s ({args.events:,} fills, "
        f"one transaction each with its tracking row); bare asyncpg inserts of the same "
        f"rows {bare_per_second:,.0f}/s: {per_second / bare_per_second:.1%}"
    )
    ok = best < TARGET_SECONDS and proven
    print(
        f"{'PASS' if ok else 'FAIL'}  reconciliation of {args.postings:,} postings in "
        f"{best:.2f} s (target < {TARGET_SECONDS:g} s, every account proven)"
    )
    return ok


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    parser.add_argument("--strict", action="store_true", help="exit 1 when the target fails")
    return parser.parse_args()


def main() -> None:
    common.main(run, parse_args(), "astratrade-reconciliation-bench-")


if __name__ == "__main__":
    main()
