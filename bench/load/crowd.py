"""One Locust run of the mix, headless, as a process of its own: its CSV and HTML reports,
and what the platform's processes spent on CPU meanwhile."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from bench.load.mix import NOT_JUDGED
from bench.load.platform import Platform, describe

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
LOCUST = Path(sys.executable).with_name("locust")
# Below 100 requests a type's p99 is its slowest one: a single stall of the shared machine.
# Such a type is reported and judged from the step where it reaches 100.
MIN_SAMPLES = 100


@dataclass
class RequestType:
    name: str
    requests: int
    failures: int
    rps: float
    p50: float
    p99: float


@dataclass
class Outcome:
    users: int
    seconds: float
    types: list[RequestType]
    total: RequestType
    server_cpu: float  # cores busy on average (1.0 = one core)
    csv_prefix: Path
    exit_code: int
    judged: list[RequestType] = field(default_factory=list)
    exceptions: int = 0  # a user's code that raised (Locust counts them apart from failures)
    cores_by_process: dict[str, float] = field(default_factory=dict)

    @property
    def error_rate(self) -> float:
        failed = self.total.failures + self.exceptions
        return failed / self.total.requests if self.total.requests else 1.0

    @property
    def http_rps(self) -> float:
        """HTTP requests a second, sign-ups aside (Locust's total counts WS messages too)."""
        return sum(t.rps for t in self.types if t.name not in NOT_JUDGED and t.name[:3] != "WS ")

    @property
    def worst_p99(self) -> float:
        return max((t.p99 for t in self.judged), default=0.0)

    def passes(self, p99_ms: float, error_rate: float) -> bool:
        return self.worst_p99 < p99_ms and self.error_rate <= error_rate and self.total.requests > 0


def run(
    platform: Platform,
    users: int,
    seconds: int,
    prefix: Path,
    journal: Path | None = None,
    extra_env: dict[str, str] | None = None,
) -> Outcome:
    """`users` virtual users (traders and listeners, by the locustfile's weights), spawned
    at up to 10 a second; the statistics restart once every one has signed up and the run
    ends `seconds` later (or at a bound of three more minutes for the sign-ups)."""
    prefix.parent.mkdir(parents=True, exist_ok=True)
    spawn_rate = max(2, min(10, users // 4))
    bound = seconds + 180 + users // spawn_rate
    command = [
        str(LOCUST),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        platform.base_url,
        "-u",
        str(users),
        "-r",
        str(spawn_rate),
        "-t",
        f"{bound}s",
        "--csv",
        str(prefix),
        "--csv-full-history",
        "--html",
        f"{prefix}.html",
        "--only-summary",
        "--stop-timeout",
        "3",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]
    env = {**platform.env, **(extra_env or {}), "LOAD_STEP_SECONDS": str(seconds)}
    if journal is not None:
        env["LOAD_JOURNAL"] = str(journal)
    log_path = prefix.parent / f"{prefix.name}.locust.log"
    with log_path.open("w") as log:
        locust = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        before, started = cpu_by_process(platform), time.monotonic()
        while locust.poll() is None:  # the window opens when the last user has signed up
            if ": measuring" in log_path.read_text(errors="replace"):
                before, started = cpu_by_process(platform), time.monotonic()
                break
            time.sleep(0.2)
        code = locust.wait()
    elapsed = time.monotonic() - started
    after = cpu_by_process(platform)
    cores = {n: round((after[n] - before.get(n, 0.0)) / elapsed, 3) for n in after}
    cpu = sum(cores.values())
    types, total = read_stats(Path(f"{prefix}_stats.csv"))
    judged = [
        t
        for t in types
        if t.name not in NOT_JUDGED and not t.name.startswith("WS") and t.requests >= MIN_SAMPLES
    ]
    # A user whose account never opened is an error of the step (the ramp's, measured).
    gave_up = re.search(r"(\d+) gave up", log_path.read_text(errors="replace"))
    exceptions = Path(f"{prefix}_exceptions.csv")
    raised = (
        sum(int(r["Count"]) for r in csv.DictReader(exceptions.open()))
        if (exceptions.exists())
        else 0
    )
    raised += int(gave_up[1]) if gave_up else 0
    return Outcome(users, elapsed, types, total, cpu, prefix, code, judged, raised, cores)


def cpu_by_process(platform: Platform) -> dict[str, float]:
    """CPU (user + system) spent so far by each of the platform's processes, by service
    (a restarted one starts again from zero: its share of a step with a kill is low), and
    in distributed mode by the PostgreSQL and Redis servers (shared with whatever else
    uses them)."""
    used: dict[str, float] = {}
    for process in platform.processes():
        try:
            times = process.cpu_times()
            name = describe(process)
        except psutil.Error:
            continue
        used[name] = used.get(name, 0.0) + times.user + times.system
    if platform.mode == "distributed":
        from bench.common import cpu_of_processes

        used |= cpu_of_processes(("postgres", "redis-server"))
    return used


def read_stats(path: Path) -> tuple[list[RequestType], RequestType]:
    rows = list(csv.DictReader(path.open())) if path.exists() else []
    types = [_row(r) for r in rows if r["Name"] != "Aggregated"]
    totals = [_row(r) for r in rows if r["Name"] == "Aggregated"]
    return types, totals[0] if totals else RequestType("Aggregated", 0, 0, 0.0, 0.0, 0.0)


def _row(row: dict[str, str]) -> RequestType:
    def number(key: str) -> float:
        value = row.get(key) or "0"
        return float(value) if value != "N/A" else 0.0

    return RequestType(
        row["Name"],
        int(number("Request Count")),
        int(number("Failure Count")),
        number("Requests/s"),
        number("50%"),
        number("99%"),
    )
