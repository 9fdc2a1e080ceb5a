"""Distributed mode as real processes: `astratrade up --distributed` started for a test on a
PostgreSQL database and a Redis prefix of its own, stopped with Ctrl-C after it."""

from __future__ import annotations

import fcntl
import os
import re
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from .conftest import ASTRATRADE, Server, _server_env, free_port

# Twelve processes importing the platform at once on 2 cores, beside the run's other
# workers: on a machine just booted (nothing in the page cache) it has taken over 60 s.
STARTUP_SECONDS = 120
# Clusters of one test run up at once, whatever the number of workers: each holds some 12
# processes' PostgreSQL connections, and the server allows 100.
CLUSTERS_AT_ONCE = 2


@contextmanager
def cluster_slot() -> Iterator[None]:
    """One of the run's CLUSTERS_AT_ONCE slots (a file lock each, shared by the run's
    workers), held while a cluster is up; waited for when the others are taken."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", str(os.getpid()))
    directory = Path(tempfile.gettempdir()) / f"astratrade-clusters-{run}"
    directory.mkdir(exist_ok=True)
    while True:
        for slot in range(CLUSTERS_AT_ONCE):
            with (directory / f"slot-{slot}").open("w") as lock:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue
                try:
                    yield
                finally:
                    fcntl.flock(lock, fcntl.LOCK_UN)
                return
        time.sleep(0.5)


class Distributed(Server):
    """The gateway as the server a test speaks to, and the `up` process behind it."""

    def pid_of(self, name: str) -> int:
        """The newest pid `up` reported for a process."""
        started = re.findall(
            rf"^\s*{name} \| started \(pid (\d+)\)$", self.log_path.read_text(), re.MULTILINE
        )
        return int(started[-1])

    def starts_of(self, name: str) -> int:
        return len(re.findall(rf"^\s*{name} \| started", self.log_path.read_text(), re.MULTILINE))

    def urls_of(self, service: str) -> list[str]:
        """One service's URLs (its replicas'), as `up` reported them."""
        found = re.search(r"up \| services at (\S+)", self.log_path.read_text())
        entries = dict(item.split("=", 1) for item in found[1].split(",")) if found else {}
        return entries[service].split("|") if service in entries else []

    def service_urls(self) -> list[str]:
        """Every service process's URL, each trading replica's too."""
        found = re.search(r"up \| services at (\S+)", self.log_path.read_text())
        if not found:
            return []
        return [url for item in found[1].split(",") for url in item.split("=", 1)[1].split("|")]


@contextmanager
def distributed(
    data_dir: Path,
    postgres_url: str,
    redis_url: str,
    redis_prefix: str,
    *,
    trading_replicas: int = 1,
    realtime_replicas: int | None = None,
    restart_after: float = 3,
    **settings: str,
) -> Iterator[Distributed]:
    """`up --distributed` with these ASTRATRADE_* settings over the usual ones
    (`realtime_replicas`: None, as many as `up` starts by default)."""
    with cluster_slot():  # its PostgreSQL connections count against the run's
        port = free_port()
        env = {
            **_server_env(data_dir),
            "ASTRATRADE_DATABASE_URL": postgres_url,
            "ASTRATRADE_REDIS_URL": redis_url,
            "ASTRATRADE_REDIS_PREFIX": redis_prefix,
            "ASTRATRADE_CONSUMER_LEASE_MS": "1000",
            # Two clusters may run at once on one PostgreSQL (max_connections 100): ~12
            # processes each, two engines a process.
            "ASTRATRADE_DATABASE_POOL_SIZE": "3",
            "ASTRATRADE_DATABASE_MAX_OVERFLOW": "3",
            **{f"ASTRATRADE_{name.upper()}": value for name, value in settings.items()},
        }
        command = [str(ASTRATRADE), "up", "--distributed", "--port", str(port)]
        command += ["--restart-after", str(restart_after)]
        command += ["--trading-replicas", str(trading_replicas)]
        if realtime_replicas is not None:
            command += ["--realtime-replicas", str(realtime_replicas)]
        log_path = data_dir / "up.log"
        with log_path.open("ab") as log:
            process = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
                command, env=env, cwd=data_dir, stdout=log, stderr=subprocess.STDOUT
            )
        srv = Distributed(f"http://127.0.0.1:{port}", env, data_dir, log_path, process)
        try:
            wait_ready(srv)
            yield srv
        finally:
            stop_up(srv)


def wait_ready(srv: Distributed) -> None:
    """Every service ready (database, Redis, migrations at head), then the gateway."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert srv.process.poll() is None, srv.log_tail()
        urls = [f"{url}/readyz" for url in srv.service_urls()]
        try:
            ready = [httpx.get(url, timeout=2).status_code == 200 for url in urls]
            if ready and all(ready) and httpx.get(f"{srv.base_url}/readyz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("distributed mode did not come up:\n" + srv.log_tail())


def stop_up(srv: Distributed) -> None:
    if srv.process.poll() is not None:
        return
    srv.process.send_signal(signal.SIGINT)
    try:
        srv.process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(srv.process.pid, signal.SIGKILL)
        srv.process.wait()
