"""The load harness works: one short stepped run (`make load`'s entry point, one step of two
dozen users, 15 s once all are in) against an embedded platform of its own writes Locust's
CSV and HTML reports and the plots, and the crowd's requests succeed. About 36 s on 2
shared cores; the long runs are commands (docs/load.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
USERS = 24


def test_a_short_stepped_run_writes_its_reports(tmp_path: Path) -> None:
    run = subprocess.run(  # noqa: S603 - our own bench module, fixed arguments
        [
            sys.executable,
            "-m",
            "bench.load.steps",
            "--mode",
            "embedded",
            "--users",
            str(USERS),
            "--step-seconds",
            "20",
            "--out",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    out = tmp_path / "embedded"
    for report in (
        f"users_{USERS}_stats.csv",
        f"users_{USERS}_stats_history.csv",
        f"users_{USERS}.html",
        "requests_per_second.png",
        "latency_p50.png",
        "latency_p99.png",
        "errors.png",
        "server_cpu.png",
    ):
        assert (out / report).stat().st_size > 0, report
    step = json.loads((out / "summary.json").read_text())["steps"][0]
    names = {t["name"] for t in step["types"]}
    # Sockets connected before the window opened; their prices keep coming inside it.
    assert {"markets", "positions", "market order", "place limit", "WS prices"} <= names, names
    requests = sum(t["requests"] for t in step["types"])
    failures = sum(t["failures"] for t in step["types"])
    assert requests > 100, step
    assert failures <= requests * 0.01, step
