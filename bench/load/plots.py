"""The stepped run's figures against users: requests/s, p50/p99 per request type, errors,
server CPU; and the soak's memory and descriptors over time."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt

from bench.load.crowd import Outcome


def steps(outcomes: list[Outcome], out: Path, p99_line_ms: float) -> list[Path]:
    users = [o.users for o in outcomes]
    made = [
        _line(
            out / "requests_per_second.png",
            "per second",
            users,
            {
                "HTTP requests": [o.http_rps for o in outcomes],
                "all Locust events (HTTP and WS messages)": [o.total.rps for o in outcomes],
            },
        ),
        _line(
            out / "errors.png",
            "errors (% of requests)",
            users,
            {"errors": [100 * o.error_rate for o in outcomes]},
        ),
        _line(
            out / "server_cpu.png",
            "server CPU (cores busy)",
            users,
            {"platform": [o.server_cpu for o in outcomes]},
        ),
    ]
    names = sorted({t.name for o in outcomes for t in o.judged})
    for quantile in ("p50", "p99"):
        series = {n: [_of(o, n, quantile) for o in outcomes] for n in names}
        made.append(
            _line(
                out / f"latency_{quantile}.png",
                f"{quantile} (ms)",
                users,
                series,
                p99_line_ms if quantile == "p99" else None,
            )
        )
    return made


def _of(outcome: Outcome, name: str, quantile: str) -> float:
    found = [t for t in outcome.judged if t.name == name]
    return float(getattr(found[0], quantile)) if found else float("nan")


def _line(
    path: Path,
    label: str,
    xs: list[int],
    series: dict[str, list[float]],
    limit: float | None = None,
) -> Path:
    figure, axes = plt.subplots(figsize=(9, 5))
    for name, ys in series.items():
        axes.plot(xs, ys, marker="o", label=name)
    if limit is not None:
        axes.axhline(limit, color="red", linestyle="--", label=f"{limit:g} ms")
    axes.set_xlabel("users")
    axes.set_ylabel(label)
    axes.grid(alpha=0.3)
    if len(series) > 1 or limit is not None:
        axes.legend(fontsize=7, ncol=2)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path


def over_time(path: Path, label: str, seconds: list[float], series: dict[str, list[float]]) -> Path:
    figure, axes = plt.subplots(figsize=(9, 5))
    for name, ys in series.items():
        axes.plot(seconds[: len(ys)], ys, label=name)
    axes.set_xlabel("seconds")
    axes.set_ylabel(label)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=7, ncol=2)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path
