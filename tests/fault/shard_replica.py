"""A replica of a sharded writer, as a real process: ShardLeases and a stubborn writer.

    python tests/fault/shard_replica.py NAME --db URL --scope S --shards 4 --report FILE

It reports, one JSON line each to FILE: `acquired` (shard, token), `lost` (shard), and
`fenced` (shard, token) when a write was refused. Every 50 ms the writer writes one row per
shard it was ever given, with the latest token it was given for it, to `shard_writes`, in
a transaction fenced with the module's `fence` (the database's check alone). It ignores
on_lost on purpose: the worst writer there is, so the test sees what the fence alone
guarantees. SIGTERM releases the leases and exits."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from astratrade.infrastructure.db import create_engine
from astratrade.infrastructure.shard_leases import LeaseLost, ShardLeases, fence

CREATE_WRITES = (
    "CREATE TABLE IF NOT EXISTS shard_writes"
    " (seq bigserial PRIMARY KEY, shard int NOT NULL, token bigint NOT NULL, replica text)"
)


class Report:
    def __init__(self, path: Path) -> None:
        self._file = path.open("a", buffering=1)  # a line each, flushed

    def __call__(self, event: str, **fields: Any) -> None:
        self._file.write(json.dumps({"event": event, "at": time.monotonic(), **fields}) + "\n")


async def write_forever(
    name: str, scope: str, engine: Any, tokens: dict[int, int], report: Report
) -> None:
    def write(conn: Connection, shard: int, token: int) -> None:
        fence(conn, scope, shard, token, stall_limit_ms=2000)
        conn.execute(
            text("INSERT INTO shard_writes (shard, token, replica) VALUES (:s, :t, :r)"),
            {"s": shard, "t": token, "r": name},
        )

    refused: set[tuple[int, int]] = set()
    while True:
        for shard, token in sorted(tokens.items()):
            if (shard, token) in refused:
                continue
            try:
                async with engine.begin() as conn:
                    await conn.run_sync(write, shard, token)
            except LeaseLost:
                refused.add((shard, token))
                report("fenced", shard=shard, token=token)
            except DBAPIError as error:  # its session ended while it was paused, say
                report("error", shard=shard, token=token, error=str(error.orig))
        await asyncio.sleep(0.05)


async def run(args: argparse.Namespace) -> None:
    report = Report(Path(args.report))
    leases_engine, writer_engine = create_engine(args.db), create_engine(args.db)
    async with writer_engine.begin() as conn:
        await conn.execute(text(CREATE_WRITES))
    tokens: dict[int, int] = {}

    def acquired(shard: int, token: int) -> None:
        tokens[shard] = token
        report("acquired", shard=shard, token=token)

    leases = ShardLeases(
        leases_engine,
        scope=args.scope,
        shards=args.shards,
        replica=args.name,
        on_acquired=acquired,
        on_lost=lambda shard: report("lost", shard=shard),
    )
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await leases.start()
    report("started")
    writer = asyncio.create_task(
        write_forever(args.name, args.scope, writer_engine, tokens, report)
    )
    await stop.wait()
    writer.cancel()
    await leases.stop()
    await leases_engine.dispose()
    await writer_engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(prog="shard_replica")
    parser.add_argument("name")
    parser.add_argument("--db", required=True)
    parser.add_argument("--scope", required=True)
    parser.add_argument("--shards", type=int, required=True)
    parser.add_argument("--report", required=True)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
