"""`make soak MINUTES=N`: the mix at half the measured capacity (var/load/<mode>/summary.json,
from `make load`) for N minutes, sampling the RSS and open file descriptors of every platform
process each 10 s. Verdict: after the warm-up (a fifth of the run, at least a minute), no
process grows more than 10 %. Plots and soak.json in var/load/soak/; exit 1 when one grew.

    .venv/bin/python -m bench.load.soak --minutes 5
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from bench.load import crowd, plots
from bench.load.platform import ROOT, Platform, describe, running

SAMPLE_SECONDS = 10.0
GROWTH_LIMIT = 0.10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--mode", choices=("embedded", "distributed"), default="embedded")
    parser.add_argument("--users", type=int, default=None, help="else half the capacity")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "load" / "soak")
    args = parser.parse_args()
    users = args.users or half_capacity(args.out.parent / args.mode / "summary.json")
    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    samples: list[dict[str, Any]] = []
    with running(args.mode, args.out / "platform") as platform:
        stop = threading.Event()
        sampler = threading.Thread(target=sample_every, args=(platform, samples, stop), daemon=True)
        sampler.start()
        outcome = crowd.run(platform, users, int(args.minutes * 60), args.out / "crowd")
        stop.set()
        sampler.join()
    report = judge(samples, args.minutes * 60)
    report |= {"users": users, "rps": outcome.total.rps, "error_rate": outcome.error_rate}
    draw(samples, args.out)
    (args.out / "soak.json").write_text(json.dumps(report | {"samples": samples}, indent=2))
    print(json.dumps(report, indent=2))
    sys.exit(0 if report["passed"] else 1)


def half_capacity(summary: Path) -> int:
    if not summary.exists():
        print(f"no {summary}: `make load` measures the capacity; soaking with 10 users")
        return 10
    return max(2, int(json.loads(summary.read_text())["capacity_users"]) // 2)


def sample_every(platform: Platform, samples: list[dict[str, Any]], stop: threading.Event) -> None:
    started = time.monotonic()
    while True:
        row: dict[str, Any] = {"t": round(time.monotonic() - started, 1), "processes": {}}
        for process in platform.processes():
            try:
                name = describe(process)
                row["processes"][name] = {
                    "rss": process.memory_info().rss,
                    "fds": process.num_fds(),
                }
            except psutil.Error:  # ended between the listing and the reading
                continue
        samples.append(row)
        if stop.wait(SAMPLE_SECONDS):
            return


def judge(samples: list[dict[str, Any]], seconds: float) -> dict[str, Any]:
    """Growth of each process from just after the warm-up to the end, each end the mean of
    three samples (30 s): one sample's open sockets are the moment's traffic, not a leak."""
    warm = max(60.0, seconds / 5)
    after = [s for s in samples if s["t"] >= warm]
    growth: dict[str, dict[str, float]] = {}
    if len(after) >= 2:
        head, tail = after[:3], after[-3:]
        names = set.intersection(*(set(s["processes"]) for s in head + tail))
        for name in names:
            growth[name] = {
                key: round(_mean(tail, name, key) / max(_mean(head, name, key), 1) - 1, 4)
                for key in ("rss", "fds")
            }
    worst = max((g["rss"] for g in growth.values()), default=0.0)
    return {
        "warm_up_seconds": warm,
        "growth": growth,
        "worst_rss_growth": worst,
        "passed": bool(growth)
        and all(g["rss"] <= GROWTH_LIMIT and g["fds"] <= GROWTH_LIMIT for g in growth.values()),
    }


def _mean(samples: list[dict[str, Any]], name: str, key: str) -> float:
    return sum(s["processes"][name][key] for s in samples) / len(samples)


def draw(samples: list[dict[str, Any]], out: Path) -> None:
    times = [s["t"] for s in samples]
    names = sorted({n for s in samples for n in s["processes"]})
    for key, label, scale in (("rss", "RSS (MiB)", 2**20), ("fds", "open descriptors", 1)):
        series = {
            n: [s["processes"].get(n, {}).get(key, float("nan")) / scale for s in samples]
            for n in names
        }
        plots.over_time(out / f"soak_{key}.png", label, times, series)


if __name__ == "__main__":
    main()
