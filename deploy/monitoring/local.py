"""A Prometheus config for `astratrade up --distributed` on this machine.

`up` picks free ports at each start and says where each process serves /metrics in its log
(`up | metrics at relay=http://127.0.0.1:P/metrics,users=...`). This reads that line and
writes OUT_DIR/prometheus.yml: one target per process, labelled with its service (the
process name without its replica number) and process, and the alert and recording rules of
deploy/monitoring/rules. Standard library only.

    astratrade up --distributed | tee var/up.log          # in one terminal
    python deploy/monitoring/local.py var/up.log var/monitoring
    prometheus --config.file=var/monitoring/prometheus.yml \\
        --storage.tsdb.path=var/monitoring/data --web.listen-address=127.0.0.1:9090
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

RULES = Path(__file__).resolve().parent / "rules"
METRICS_LINE = re.compile(r"^\s*up \| metrics at (\S+)$", re.MULTILINE)
REPLICA_NUMBER = re.compile(r"-\d+$")


def targets_from_log(log: str) -> dict[str, str]:
    """Each process's /metrics URL by process name, from the last start `log` shows."""
    found = METRICS_LINE.findall(log)
    if not found:
        raise ValueError("no `up | metrics at ...` line: is this the log of `up --distributed`?")
    return dict(item.split("=", 1) for item in found[-1].split(","))


def service_of(process: str) -> str:
    """trading-2 -> trading, realtime-1 -> realtime, relay -> relay."""
    return REPLICA_NUMBER.sub("", process)


def config(targets: dict[str, str], scrape_interval: str = "5s") -> dict[str, Any]:
    static = []
    for process, url in sorted(targets.items()):
        parts = urlsplit(url)
        static.append(
            {
                "targets": [parts.netloc],
                "labels": {
                    "service": service_of(process),
                    "process": process,
                    "__metrics_path__": parts.path or "/metrics",
                },
            }
        )
    return {
        "global": {"scrape_interval": scrape_interval, "evaluation_interval": scrape_interval},
        "rule_files": [str(RULES / "recording.yml"), str(RULES / "alerts.yml")],
        "scrape_configs": [{"job_name": "astratrade", "static_configs": static}],
    }


def write(log_path: Path, out_dir: Path, scrape_interval: str = "5s") -> Path:
    """Write OUT_DIR/prometheus.yml (JSON is YAML: no YAML library needed); its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "prometheus.yml"
    found = config(targets_from_log(log_path.read_text()), scrape_interval)
    path.write_text(json.dumps(found, indent=2) + "\n")
    return path


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: local.py UP_LOG OUT_DIR")
    print(write(Path(sys.argv[1]), Path(sys.argv[2])))
