"""The real Prometheus (Debian's `prometheus`) against a running `up --distributed`: its
config written by deploy/monitoring/local.py from the ports `up` reports, the rules of
deploy/monitoring, a 1 s scrape, on a free loopback port with its own data directory.
Without the binary the check is left out (the journey still runs), except with CI=true,
where that is a failure (.ci/run installs it)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from .conftest import free_port
from .distributed import Distributed

MONITORING = Path(__file__).resolve().parents[2] / "deploy" / "monitoring"
STARTUP_SECONDS = 30


def monitoring_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"monitoring_{name}", MONITORING / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


class Prometheus:
    def __init__(self, url: str, process: subprocess.Popen[bytes], log: Path) -> None:
        self.url, self.process, self.log = url, process, log
        self.client = httpx.Client(base_url=url, timeout=10)  # one connection for every query

    def api(self, path: str, **params: str) -> Any:
        answer = self.client.get(f"/api/v1/{path}", params=params)
        body = answer.json()
        assert body["status"] == "success", (path, params, body)
        return body["data"]

    def query(self, expr: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.api("query", query=expr)["result"]
        return found

    def log_tail(self) -> str:
        return self.log.read_text()[-3000:]


@contextmanager
def prometheus(srv: Distributed, work: Path) -> Iterator[Prometheus | None]:
    binary = shutil.which("prometheus")
    if binary is None:
        reason = "prometheus is not on PATH (apt-get install prometheus)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"required on CI: {reason}")
        warnings.warn(f"monitoring check left out: {reason}", stacklevel=2)
        yield None
        return
    config = monitoring_script("local").write(srv.log_path, work, "1s")
    port = free_port()
    log = work / "prometheus.log"
    with log.open("ab") as out:
        process = subprocess.Popen(  # noqa: S603 - Debian's binary, fixed arguments
            [
                binary,
                f"--config.file={config}",
                f"--storage.tsdb.path={work / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    found = Prometheus(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert process.poll() is None, found.log_tail()
            try:
                if httpx.get(f"{found.url}/-/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, found.log_tail()
            time.sleep(0.1)
        yield found
    finally:
        found.client.close()
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def check_every_process_is_watched(prom: Prometheus, srv: Distributed) -> None:
    """Every process `up` runs is a target and up, every rule loaded and evaluating without
    error, the recording rules answering, and every dashboard query accepted."""
    processes = set(monitoring_script("local").targets_from_log(srv.log_path.read_text()))
    deadline = time.monotonic() + 20
    while True:
        targets = prom.api("targets")["activeTargets"]
        health = {t["labels"]["process"]: t["health"] for t in targets}
        if set(health) == processes and set(health.values()) == {"up"}:
            break
        assert time.monotonic() < deadline, (health, prom.log_tail())
        time.sleep(0.5)
    services = {t["labels"]["service"] for t in targets}
    assert {"gateway", "relay", "users", "trading", "gamification"} <= services
    # Recording rules are evaluated each second: wait for one after every target is up.
    while True:
        ratios = {r["metric"]["service"]: r["value"][1] for r in prom.query("astratrade:up:ratio")}
        if ratios == dict.fromkeys(services, "1"):
            break
        assert time.monotonic() < deadline, ratios
        time.sleep(0.5)
    rules = [r for g in prom.api("rules")["groups"] for r in g["rules"]]
    assert len(rules) > 20
    assert [r["name"] for r in rules if r["health"] != "ok"] == []
    # The business as the gateway let it through: orders and fills of the journey.
    committed = prom.query('astratrade_events_committed_total{type=~"OrderAccepted|OrderFilled"}')
    assert {r["metric"]["type"] for r in committed} == {"OrderAccepted", "OrderFilled"}
    assert prom.query('astratrade:gateway_requests:rate1m{context="trading"}')
    assert prom.query('astratrade:gateway_latency_seconds:p99_5m{context="trading"}')
    assert prom.query('astratrade_outbox_backlog{service="relay"}')  # the worker's probe
    # The admin's prices, applied by both trading replicas (one from the prices' stream).
    priced = prom.query('astratrade_price_applied_timestamp_seconds{market="ETH-USD"}')
    assert {r["metric"]["process"] for r in priced} == {"trading-1", "trading-2"}
    assert prom.query('astratrade:price_age_seconds{market="ETH-USD"}')
    for expr in monitoring_script("generate").panel_queries():
        prom.query(expr)  # accepted and evaluated (an empty answer is fine: no liquidation)
