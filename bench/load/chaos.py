"""`make chaos`: the crowd trades on `up --distributed` while a service process or the relay
is SIGKILLed every 30 s (`up` starts it again). Then, read back through the API: every order
answered 2xx exists exactly once, `astratrade reconcile` proves the ledger, every trader's XP
is the rules over their closes. Errors a second around each kill and the time to recover
are in var/load/chaos/chaos.json. Exit 1 on any violation.

    .venv/bin/python -m bench.load.chaos --users 20 --seconds 150
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import signal
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

from bench.load import checks, crowd, journal
from bench.load.platform import ROOT, Platform, running

NOT_KILLED = ("gateway", "up")  # the entry point itself: every request would fail, by design
RECOVERY_LIMIT = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=150)
    parser.add_argument("--every", type=float, default=30)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "load" / "chaos")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    chooser = random.Random(args.seed)
    with running("distributed", args.out / "platform", feed="manual") as platform:
        kills: list[dict[str, Any]] = []
        stop = threading.Event()
        killer = threading.Thread(
            target=kill_every, args=(platform, args.every, chooser, kills, stop), daemon=True
        )
        killer.start()
        records = args.out / "journal.jsonl"
        outcome = crowd.run(platform, args.users, args.seconds, args.out / "crowd", records)
        stop.set()
        killer.join()
        report = verdict(platform, journal.read(records), kills, outcome)
    (args.out / "chaos.json").write_text(json.dumps(report, indent=2))
    print(json.dumps({k: v for k, v in report.items() if k != "kills"}, indent=2))
    sys.exit(1 if report["violations"] else 0)


def kill_every(
    platform: Platform,
    every: float,
    chooser: random.Random,
    kills: list[dict[str, Any]],
    stop: threading.Event,
) -> None:
    while not stop.wait(every):
        pids = {n: p for n, p in platform.pids_by_name().items() if n not in NOT_KILLED}
        name = chooser.choice(sorted(pids))
        port = listening_port(pids[name])
        killed_at = time.time()
        os.kill(pids[name], signal.SIGKILL)
        recovered = wait_recovered(platform, name, pids[name], port)
        kills.append(
            {"process": name, "pid": pids[name], "at": killed_at, "recovery_seconds": recovered}
        )
        print(f"killed {name} (pid {pids[name]}): back in {recovered} s", flush=True)


def listening_port(pid: int) -> int | None:
    """Where the process answers /readyz: its --port, else its --health-port (the relay)."""
    args = psutil.Process(pid).cmdline()
    for flag in ("--port", "--health-port"):
        if flag in args:
            return int(args[args.index(flag) + 1])
    return None


def wait_recovered(platform: Platform, name: str, old_pid: int, port: int | None) -> float | None:
    """Seconds from the kill until a new process of that name answers /readyz."""
    started = time.monotonic()
    while time.monotonic() - started < RECOVERY_LIMIT:
        if platform.pids_by_name().get(name, old_pid) != old_pid and port is not None:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    return round(time.monotonic() - started, 2)
            except httpx.TransportError:
                pass
        time.sleep(0.1)
    return None


def errors_around(history: Path, at: float) -> dict[str, float]:
    """Failures a second in the 10 s before a kill and the 30 s after (Locust's history),
    and how long after the kill the last failing second of those 30 was."""
    rows = []
    if history.exists():
        rows = [r for r in csv.DictReader(history.open()) if r["Name"] == "Aggregated"]

    def mean(lo: float, hi: float) -> float:
        found = [float(r["Failures/s"]) for r in rows if lo <= float(r["Timestamp"]) < hi]
        return round(statistics.fmean(found), 2) if found else 0.0

    failing = [
        float(r["Timestamp"]) - at
        for r in rows
        if at <= float(r["Timestamp"]) < at + 30 and float(r["Failures/s"]) > 0
    ]
    return {
        "before": mean(at - 10, at),
        "after": mean(at, at + 30),
        "failing_until_seconds": round(max(failing), 1) if failing else 0.0,
    }


def verdict(
    platform: Platform,
    records: list[dict[str, Any]],
    kills: list[dict[str, Any]],
    outcome: crowd.Outcome,
) -> dict[str, Any]:
    history = Path(f"{outcome.csv_prefix}_stats_history.csv")
    for kill in kills:
        kill["errors_per_second"] = errors_around(history, kill["at"])
    found, counted = checks.violations(platform.base_url, records)
    reconciled = platform.cli("reconcile")
    if reconciled.returncode != 0:
        found.append("reconcile: " + (reconciled.stdout + reconciled.stderr)[-2000:])
    recoveries = [k["recovery_seconds"] for k in kills if k["recovery_seconds"] is not None]
    found += [
        f"{k['process']} not back within {RECOVERY_LIMIT:g} s"
        for k in kills
        if k["recovery_seconds"] is None
    ]
    return {
        "violations": found,
        "checked": counted,
        "reconcile": reconciled.stdout.strip().splitlines()[-1:] or [""],
        "requests": outcome.total.requests,
        "failures": outcome.total.failures,
        "recovery_seconds_p50": statistics.median(recoveries) if recoveries else None,
        "recovery_seconds_max": max(recoveries) if recoveries else None,
        "kills": kills,
    }


if __name__ == "__main__":
    main()
