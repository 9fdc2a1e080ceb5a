"""What every benchmark's entry point does: pick the loop, a temp dir, the --strict exit."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

Run = Callable[[argparse.Namespace, Path], Coroutine[Any, Any, bool]]


def run_on_loop(coroutine: Coroutine[Any, Any, bool]) -> bool:
    """uvloop when installed, the loop `astratrade serve` runs the engine on (uvicorn "auto")."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def main(run: Run, args: argparse.Namespace, temp_prefix: str) -> None:
    """Run the benchmark in a temp dir of its own; with --strict, exit 1 on a FAIL."""
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix=temp_prefix) as tmp:
        passed = run_on_loop(run(args, Path(tmp)))
    if args.strict and not passed:
        sys.exit(1)


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered) + 0.5))
    return ordered[min(rank, len(ordered)) - 1]


def cpu_of_processes(names: tuple[str, ...]) -> dict[str, float]:
    """CPU seconds (user + system) used so far by every process with one of these names,
    summed per name: the database and Redis servers' share of a run, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = dict.fromkeys(names, 0.0)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended meanwhile
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        if name in used:
            fields = text[text.rindex(")") + 2 :].split()
            used[name] += (int(fields[11]) + int(fields[12])) / ticks
    return used


async def postgres_admin(admin_url: str, statement: str) -> None:
    """Run one statement (CREATE/DROP DATABASE) on the PostgreSQL server of `admin_url`."""
    import asyncpg
    from sqlalchemy.engine import make_url

    dsn = make_url(admin_url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn, timeout=5)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()
