"""The platform a load run speaks to, started for the run on loopback with a data directory
of its own: `astratrade serve` (embedded) or `astratrade up --distributed` on a PostgreSQL
database and a Redis prefix of its own, dropped after it."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[2]
ASTRATRADE = Path(sys.executable).with_name("astratrade")
POSTGRES_ADMIN = os.environ.get(
    "ASTRATRADE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("ASTRATRADE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
STARTUP_SECONDS = 90


@dataclass
class Platform:
    mode: str
    base_url: str
    env: dict[str, str]
    data_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes]

    def processes(self) -> list[psutil.Process]:
        """The platform's own processes: `serve`, or `up` and every service it started."""
        try:
            root = psutil.Process(self.process.pid)
            return [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def pids_by_name(self) -> dict[str, int]:
        """Distributed: each service's newest pid as `up` reported it."""
        found = re.findall(
            r"^\s*(\S+) \| started \(pid (\d+)\)$", self.log_path.read_text(), re.MULTILINE
        )
        return {name: int(pid) for name, pid in found if name != "migrate"}

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(ASTRATRADE), *args],
            env=self.env,
            cwd=self.data_dir,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


def describe(process: psutil.Process) -> str:
    """A stable name: the service a process serves and its port (two realtime replicas are
    two names; a restarted process keeps its name, not its pid)."""
    args = process.cmdline()
    if "--service" in args:
        port = args[args.index("--port") + 1] if "--port" in args else "?"
        return f"{args[args.index('--service') + 1]}:{port}"
    if "--gateway" in args:
        return "gateway"
    if "worker" in args:
        return " ".join(args[args.index("worker") :][:2])
    return " ".join(a for a in args[1:3] if not a.startswith("/"))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def base_env(data_dir: Path, feed: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASTRATRADE_")}
    env.update(
        ASTRATRADE_PRICE_FEED=feed,
        ASTRATRADE_DATA_DIR=str(data_dir),
        ASTRATRADE_JWT_SECRET="load-run-secret-" + uuid.uuid4().hex + uuid.uuid4().hex,
        ASTRATRADE_LOG_LEVEL="WARNING",
        # Every virtual trader comes from 127.0.0.1: the per-IP limits would stop the crowd.
        **{
            f"ASTRATRADE_RATE_LIMIT_{action}_PER_IP": ""
            for action in ("LOGIN", "REGISTER", "ORDERS", "FAUCET")
        },
    )
    return env


@contextmanager
def running(mode: str, data_dir: Path, feed: str = "synthetic") -> Iterator[Platform]:
    data_dir.mkdir(parents=True, exist_ok=True)
    env = base_env(data_dir, feed)
    port = free_port()
    if mode == "embedded":
        command = ["serve", "--host", "127.0.0.1", "--port", str(port)]
        with _platform(mode, command, env, data_dir, port) as platform:
            yield platform
        return
    database = f"astratrade_load_{uuid.uuid4().hex[:10]}"
    _postgres(f'CREATE DATABASE "{database}"')
    base = POSTGRES_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    env.update(
        ASTRATRADE_DATABASE_URL=f"{base}/{database}",
        ASTRATRADE_REDIS_URL=REDIS_URL,
        ASTRATRADE_REDIS_PREFIX=f"load-{uuid.uuid4().hex[:8]}",
        ASTRATRADE_CONSUMER_LEASE_MS="1000",
        ASTRATRADE_DATABASE_POOL_SIZE="4",
        ASTRATRADE_DATABASE_MAX_OVERFLOW="4",
    )
    command = ["up", "--distributed", "--port", str(port), "--restart-after", "1"]
    try:
        with _platform(mode, command, env, data_dir, port) as platform:
            yield platform
    finally:
        _postgres(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@contextmanager
def _platform(
    mode: str, command: list[str], env: dict[str, str], data_dir: Path, port: int
) -> Iterator[Platform]:
    log_path = data_dir / f"{mode}.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [str(ASTRATRADE), *command], env=env, cwd=data_dir, stdout=log, stderr=subprocess.STDOUT
        )
    platform = Platform(mode, f"http://127.0.0.1:{port}", env, data_dir, log_path, process)
    try:
        _wait_ready(platform)
        yield platform
    finally:
        _stop(process)


def _wait_ready(platform: Platform) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if platform.process.poll() is not None:
            raise RuntimeError(f"the platform exited:\n{platform.log_path.read_text()[-3000:]}")
        try:
            if httpx.get(f"{platform.base_url}/readyz", timeout=2).status_code == 200:
                time.sleep(2 if platform.mode == "distributed" else 0)  # every service up
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the platform was not ready:\n{platform.log_path.read_text()[-3000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _postgres(statement: str) -> None:
    from bench.common import postgres_admin

    asyncio.run(postgres_admin(POSTGRES_ADMIN, statement))
