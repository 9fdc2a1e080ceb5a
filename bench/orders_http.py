"""Order placement through the HTTP API, on SQLite and on PostgreSQL, beside a bare FastAPI
endpoint measured in the same run.

Starts uvicorn subprocesses served the same way (one worker, uvicorn's "auto" loop and
http, i.e. uvloop + httptools): the real platform (`astratrade serve`, embedded, manual
price feed) on SQLite in a temporary directory, the same on a PostgreSQL database of its
own (created beside --postgres-url and dropped at the end), and `bench.bare_app` (the
floor). Then, from this process with keep-alive `httpx.AsyncClient`s:

(a) throughput: N closed-loop clients place 0.001 BTC-USD market orders (each client
    alternates buy and sell, so margin never runs out) for --duration seconds, against each
    platform in turn; the same N clients post the same body to the bare endpoint. Server
    CPU per order counts until the platform is idle again: embedded, the projections its
    events feed run in the same process, and what they still had to do counts too;
(b) latency: an open-loop schedule of --rate requests a second for --latency-seconds
    (request i is sent at t0 + i/rate whether or not earlier ones finished, and its latency
    counts from that scheduled time, so a stall is not hidden by coordinated omission).

Targets: platform throughput >= 25 % of the bare endpoint's (SQLite); p99 < 25 ms at
200 orders/s on each database; PostgreSQL's throughput >= 90 % of SQLite's; server CPU
<= 1,000 us an order on each database.

    python -m bench.orders_http [--duration 10] [--rate 200] [--concurrency 16]
                                [--database sqlite|postgres|both] [--postgres-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# httpcore asks `import sniffio` on every lock it creates; sniffio is not installed here, and a
# failed import searches sys.path each time (~0.3 ms a request). None in sys.modules makes it
# fail at once, and httpcore then assumes asyncio, which is what runs. Client-side only.
sys.modules.setdefault("sniffio", None)  # type: ignore[arg-type]

import httpx  # noqa: E402 - after the sniffio short-cut above

from bench.common import (  # noqa: E402 - after httpx, as above
    cpu_of_processes,
    load_average,
    percentile,
    postgres_admin,
)

THROUGHPUT_TARGET = 0.25  # platform orders/s over bare requests/s
P99_TARGET_MS = 25.0
TARGET_RATE = 200.0  # orders/s at which the p99 target holds
POSTGRES_TARGET = 0.90  # PostgreSQL orders/s over SQLite orders/s
CPU_TARGET_US = 1_000.0  # server CPU an order, its projections included
DEFAULT_POSTGRES = os.environ.get(
    "ASTRATRADE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
DATABASES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
ORDER_SIZE = "0.001"
MARKET = "BTC-USD"
PASSWORD = "bench-password-1"  # noqa: S105 - throwaway traders in a temporary database
ROOT = Path(__file__).resolve().parent.parent


# -- servers ----------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def cpu_seconds(self) -> float | None:
        """user + system CPU of the server process so far (Linux /proc), None elsewhere."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def main_thread_cpu_seconds(self) -> float | None:
        """The same, of its main thread alone (the event loop's: HTTP, trading's decisions,
        the dispatcher); the rest is its other threads' (SQLite's writer, aiosqlite's)."""
        pid = self.process.pid
        try:
            text = Path(f"/proc/{pid}/task/{pid}/stat").read_text()
        except OSError:
            return None
        fields = text.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def executable(name: str) -> str:
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found beside {sys.executable} or on PATH: run make install")
    return found


def start_platform(workdir: Path, database_url: str | None = None) -> Server:
    """Embedded (no Redis: events reach their subscribers in process), on the temporary
    SQLite file, or on `database_url` (the bench's own PostgreSQL database)."""
    port = free_port()
    name = "postgres" if database_url else "sqlite"
    env = {
        **os.environ,  # other ASTRATRADE_ settings pass through, to try a knob
        "ASTRATRADE_PRICE_FEED": "manual",
        "ASTRATRADE_CLOCK": "system",
        "ASTRATRADE_DATA_DIR": str(workdir / f"data-{name}"),
        "ASTRATRADE_LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "warning"),
        "ASTRATRADE_RATE_LIMIT_REGISTER_PER_IP": "",  # the bench signs its traders up at once
    }
    env.pop("ASTRATRADE_REDIS_URL", None)  # embedded: the in-process dispatcher
    env.pop("ASTRATRADE_DATABASE_URL", None)  # the temporary SQLite file, never a real one
    if database_url:
        env["ASTRATRADE_DATABASE_URL"] = database_url
    log = workdir / f"platform-{name}.log"
    command = [executable("astratrade"), "serve", "--port", str(port)]
    return _spawn(name, command, env, port, log)


def start_bare(workdir: Path) -> Server:
    port = free_port()
    log = workdir / "bare.log"
    command = [sys.executable, "-m", "bench.bare_app", "--port", str(port)]
    return _spawn("bare", command, dict(os.environ), port, log)


def _spawn(name: str, command: list[str], env: dict[str, str], port: int, log: Path) -> Server:
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=out)
    return Server(name, process, f"http://127.0.0.1:{port}", log)


async def wait_ready(client: httpx.AsyncClient, server: Server, within: float = 30) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited early:\n{server.log_tail()}")
        with contextlib.suppress(httpx.TransportError):
            if (await client.get(f"{server.url}/healthz")).status_code == 200:
                return
        await asyncio.sleep(0.1)
    raise RuntimeError(f"{server.name} not ready after {within}s:\n{server.log_tail()}")


# -- traders ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trader:
    headers: dict[str, str]
    account_id: str


async def new_trader(client: httpx.AsyncClient, n: int) -> Trader:
    _, headers = await sign_up(client, n)
    return Trader(headers, await practice_account(client, headers))


async def sign_up(client: httpx.AsyncClient, n: int) -> tuple[str, dict[str, str]]:
    """Trader n registered and logged in: their user id and request headers."""
    name = f"bench{n:03d}"
    registered = await client.post(
        "/api/v1/auth/register",
        json={"email": f"{name}@bench.example", "username": name, "password": PASSWORD},
    )
    registered.raise_for_status()
    login = await client.post("/api/v1/auth/login", json={"username": name, "password": PASSWORD})
    login.raise_for_status()
    user_id: str = registered.json()["user_id"]
    return user_id, {"Authorization": f"Bearer {login.json()['access_token']}"}


async def practice_account(
    client: httpx.AsyncClient, headers: dict[str, str], within: float = 15
) -> str:
    """The trader's practice account id, once it exists: it is opened asynchronously, by an
    event handler of UserRegistered."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        accounts = await client.get("/api/v1/accounts", headers=headers)
        accounts.raise_for_status()
        if accounts.json():
            account_id: str = accounts.json()[0]["account_id"]
            return account_id
        await asyncio.sleep(0.05)
    raise RuntimeError(f"no practice account after {within:g} s")


def order_body(account_id: str, side: str) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "market": MARKET,
        "side": side,
        "type": "market",
        "size": ORDER_SIZE,
    }


class Connections:
    """Keep-alive httpx clients of one connection each, one per request in flight, reused;
    at most `limit` open (a request beyond that waits for a free one, and in the open-loop
    runs that wait counts in its latency, as wrk2 counts it).

    httpcore's own pool re-checks every pooled connection for each request it assigns; at
    16 connections that costs more client CPU than the request itself, and the floor would
    measure the client rather than the server.

    Every client is made up front, sharing one TLS context: an httpx client makes its own
    context otherwise (the CA bundle loaded again, ~55 ms here), and one made during an
    open-loop run blocked this process's loop. The requests due meanwhile wanted more
    clients, each another 55 ms: the run stopped sending for 1-2 s while the server sat
    idle, which read as a server stall at the p99."""

    def __init__(self, base_url: str, limit: int) -> None:
        self._base_url = base_url
        self._tls = ssl.create_default_context()
        self._all: list[httpx.AsyncClient] = []
        self._idle = [self._open() for _ in range(limit)]
        self._slots = asyncio.Semaphore(limit)

    @contextlib.asynccontextmanager
    async def client(self) -> AsyncIterator[httpx.AsyncClient]:
        async with self._slots:
            client = self._idle.pop() if self._idle else self._open()
            try:
                yield client
            finally:
                self._idle.append(client)

    def _open(self) -> httpx.AsyncClient:
        client = httpx.AsyncClient(
            base_url=self._base_url,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            timeout=httpx.Timeout(30.0),
            verify=self._tls,
        )
        self._all.append(client)
        return client

    async def aclose(self) -> None:
        for client in self._all:
            await client.aclose()


Send = Callable[[int], Awaitable[bool]]  # request (or worker) number -> did it succeed


def sender(connections: Connections, path: str, traders: list[Trader], *, platform: bool) -> Send:
    """Market orders of ORDER_SIZE from trader n % len(traders), each trader alternating buy
    and sell (so a position stays within a few orders of flat and margin never runs out).
    The bare endpoint gets the same bodies and headers (it ignores the Authorization one)."""
    placed = [0] * len(traders)

    async def send(n: int) -> bool:
        k = n % len(traders)
        trader, side = traders[k], ("buy", "sell")[placed[k] % 2]
        placed[k] += 1
        try:
            async with connections.client() as client:
                response = await client.post(
                    path, json=order_body(trader.account_id, side), headers=trader.headers
                )
        except httpx.HTTPError:  # a timeout or a refused connection: an error, not a crash
            return False
        if response.status_code != 201:
            return False
        return not platform or response.json()["status"] == "filled"

    return send


# -- measurement ------------------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    client_cpu: float = 0.0
    server_cpu: float | None = None
    settle_cpu: float = 0.0  # the server's CPU after the run, until it was idle again
    main_thread_cpu: float | None = None  # its main thread's, run and settling
    settle_seconds: float = 0.0  # inf: still busy after SETTLE_WITHIN
    idle_share: float = 0.0  # the server's CPU share when idle, taken off the two above
    database_cpu: float | None = None  # the PostgreSQL server's, run and settling

    @property
    def ok(self) -> int:
        return len(self.latencies_ms) - self.errors

    @property
    def per_second(self) -> float:
        return self.ok / self.seconds

    @property
    def requests_per_second(self) -> float:
        return len(self.latencies_ms) / self.seconds

    def percentile(self, q: float) -> float:
        return percentile(self.latencies_ms, q)

    def server_cpu_per_request_us(self) -> float | None:
        if self.server_cpu is None or not self.latencies_ms:
            return None
        return (self.server_cpu + self.settle_cpu) / len(self.latencies_ms) * 1e6

    def database_cpu_per_request_us(self) -> float | None:
        if self.database_cpu is None or not self.latencies_ms:
            return None
        return self.database_cpu / len(self.latencies_ms) * 1e6


class Meter:
    """Wall time, this process's CPU and the server's CPU over one phase."""

    def __init__(self, server: Server) -> None:
        self._server = server

    def __enter__(self) -> Meter:
        self._wall = time.perf_counter()
        self._cpu = time.process_time()
        self._server_cpu = self._server.cpu_seconds()
        return self

    def __exit__(self, *_: object) -> None:
        self.seconds = time.perf_counter() - self._wall
        self.client_cpu = time.process_time() - self._cpu
        after = self._server.cpu_seconds()
        self.server_cpu = (
            None if after is None or self._server_cpu is None else after - self._server_cpu
        )


async def closed_loop(send: Send, server: Server, concurrency: int, seconds: float) -> Run:
    """`concurrency` clients, each sending its next request as soon as the last answers."""
    latencies: list[float] = []
    errors = 0
    end = time.perf_counter() + seconds

    async def client(worker: int) -> None:
        nonlocal errors
        while (started := time.perf_counter()) < end:
            ok = await send(worker)
            latencies.append((time.perf_counter() - started) * 1000)
            errors += not ok

    with Meter(server) as meter:
        await asyncio.gather(*(client(w) for w in range(concurrency)))
    return Run(meter.seconds, latencies, errors, meter.client_cpu, meter.server_cpu)


SETTLE_WITHIN = 300.0  # seconds a platform may take to catch up after a run


async def idle_share(server: Server, seconds: float = 2.0) -> float:
    """The server's CPU share (of one core) while nothing is sent: its timers' work."""
    before = server.cpu_seconds()
    await asyncio.sleep(seconds)
    after = server.cpu_seconds()
    return 0.0 if before is None or after is None else (after - before) / seconds


async def settle(server: Server, interval: float = 0.25) -> tuple[float, float]:
    """Wait until the server is idle (under 5 % of a core over two `interval`s in a row):
    embedded, the projections fed by the orders run in its process, and work they still
    had queued when the clients stopped belongs to those orders. Returns (CPU seconds,
    seconds) it took; inf seconds when it was still busy after SETTLE_WITHIN."""
    started, first = time.perf_counter(), server.cpu_seconds()
    if first is None:
        return 0.0, 0.0
    last, quiet = first, 0
    while time.perf_counter() - started < SETTLE_WITHIN:
        await asyncio.sleep(interval)
        now = server.cpu_seconds() or last
        quiet = quiet + 1 if now - last < 0.05 * interval else 0
        last = now
        if quiet == 2:
            return now - first, time.perf_counter() - started
    return last - first, math.inf


async def platform_throughput(
    send: Send, server: Server, concurrency: int, seconds: float, *, database: str
) -> Run:
    """A closed-loop run, then its server settling, its CPU counted above its idle rate; on
    PostgreSQL the database server's CPU too (every `postgres` process on this machine:
    another user's share included)."""
    idle = await idle_share(server)
    watched = ("postgres",) if database == "postgres" else ()
    before = cpu_of_processes(watched)
    main_before = server.main_thread_cpu_seconds()
    run = await closed_loop(send, server, concurrency, seconds)
    run.settle_cpu, run.settle_seconds = await settle(server)
    main_after = server.main_thread_cpu_seconds()
    if main_before is not None and main_after is not None:
        run.main_thread_cpu = main_after - main_before
    if watched:
        run.database_cpu = cpu_of_processes(watched)["postgres"] - before["postgres"]
    if run.server_cpu is not None:
        run.server_cpu -= idle * run.seconds
    if math.isfinite(run.settle_seconds):
        run.settle_cpu -= idle * run.settle_seconds
    run.idle_share = idle
    return run


async def open_loop(send: Send, server: Server, rate: float, seconds: float) -> Run:
    """Request i is due at t0 + i/rate and sent then, regardless of earlier answers; its
    latency counts from when it was due."""
    latencies: list[float] = []
    errors = 0

    async def one(i: int, due: float) -> None:
        nonlocal errors
        ok = await send(i)
        latencies.append((time.perf_counter() - due) * 1000)
        errors += not ok

    tasks: list[asyncio.Task[None]] = []
    with Meter(server) as meter:
        start = time.perf_counter() + 0.01
        for i in range(round(rate * seconds)):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i, due)))
        await asyncio.gather(*tasks)
    return Run(meter.seconds, latencies, errors, meter.client_cpu, meter.server_cpu)


# -- report -----------------------------------------------------------------------------------


def fmt(value: float | None, spec: str = ",.0f", suffix: str = "") -> str:
    return "n/a" if value is None else f"{value:{spec}}{suffix}"


def cpu_share(run: Run, attr: str) -> str:
    cpu = run.client_cpu if attr == "client" else run.server_cpu
    return "n/a" if cpu is None else f"{cpu / run.seconds:.0%}"


def ratio(numerator: float | None, denominator: float | None, spec: str = ".1f") -> str:
    if not numerator or not denominator:
        return ""
    return f"{numerator / denominator:{spec}}" + ("x" if spec.endswith("f") else "")


Row = tuple[str, str, str, str]


def print_table(title: list[str], rows: list[Row]) -> None:
    print()
    for line in title:
        print(line)
    print("-" * 92)
    for label, first, second, third in rows:
        print(f"{label:<44}{first:>16}{second:>16}{third:>16}")
    print("-" * 92)


def against_bare(args: argparse.Namespace, runs: dict[str, Run], name: str) -> list[Row]:
    """The bare endpoint beside the platform on database `name`."""
    plat_t, bare_t = runs[f"{name} throughput"], runs["bare throughput"]
    plat_l, bare_l = runs[f"{name} latency"], runs["bare latency"]
    bare_cpu, plat_cpu = bare_t.server_cpu_per_request_us(), plat_t.server_cpu_per_request_us()
    return [
        ("(a) throughput, closed loop", "bare FastAPI", f"on {DATABASES[name]}", "ratio"),
        (f"    {args.concurrency} clients x {args.duration:g} s", "", "", ""),
        ("    requests/s", fmt(bare_t.requests_per_second), fmt(plat_t.requests_per_second), ""),
        (
            "    successful (orders)/s",
            fmt(bare_t.per_second),
            fmt(plat_t.per_second),
            ratio(plat_t.per_second, bare_t.per_second, ".1%"),
        ),
        ("    errors", str(bare_t.errors), str(plat_t.errors), ""),
        (
            "    p50 / p99 latency ms",
            f"{bare_t.percentile(50):.1f} / {bare_t.percentile(99):.1f}",
            f"{plat_t.percentile(50):.1f} / {plat_t.percentile(99):.1f}",
            "",
        ),
        (
            "    server CPU per request",
            fmt(bare_cpu, ",.0f", " us"),
            fmt(plat_cpu, ",.0f", " us"),
            ratio(plat_cpu, bare_cpu),
        ),
        (
            "      of it after the clients stopped",
            "",
            fmt(plat_t.settle_cpu / max(1, len(plat_t.latencies_ms)) * 1e6, ",.0f", " us"),
            "",
        ),
        (
            "    server / client CPU busy",
            f"{cpu_share(bare_t, 'server')} / {cpu_share(bare_t, 'client')}",
            f"{cpu_share(plat_t, 'server')} / {cpu_share(plat_t, 'client')}",
            "",
        ),
        (f"(b) latency, open loop {args.rate:g}/s x {args.latency_seconds:g} s", "", "", ""),
        ("    completed/s", fmt(bare_l.requests_per_second), fmt(plat_l.requests_per_second), ""),
        ("    errors", str(bare_l.errors), str(plat_l.errors), ""),
        (
            "    p50 ms",
            f"{bare_l.percentile(50):.2f}",
            f"{plat_l.percentile(50):.2f}",
            ratio(plat_l.percentile(50), bare_l.percentile(50)),
        ),
        (
            "    p99 ms",
            f"{bare_l.percentile(99):.2f}",
            f"{plat_l.percentile(99):.2f}",
            ratio(plat_l.percentile(99), bare_l.percentile(99)),
        ),
        ("    max ms", f"{max(bare_l.latencies_ms):.2f}", f"{max(plat_l.latencies_ms):.2f}", ""),
        ("    server CPU busy", cpu_share(bare_l, "server"), cpu_share(plat_l, "server"), ""),
    ]


def between_databases(args: argparse.Namespace, runs: dict[str, Run]) -> list[Row]:
    lite_t, pg_t = runs["sqlite throughput"], runs["postgres throughput"]
    lite_l, pg_l = runs["sqlite latency"], runs["postgres latency"]
    lite_cpu, pg_cpu = lite_t.server_cpu_per_request_us(), pg_t.server_cpu_per_request_us()

    def on_loop(run: Run) -> str:
        if run.main_thread_cpu is None or not run.latencies_ms:
            return "n/a"
        return fmt(run.main_thread_cpu / len(run.latencies_ms) * 1e6, ",.0f", " us")

    def after(run: Run) -> str:
        return fmt(run.settle_cpu / len(run.latencies_ms) * 1e6, ",.0f", " us")

    return [
        ("(c) the platform on each database", "SQLite", "PostgreSQL", "PG / SQLite"),
        (f"    orders/s, {args.concurrency} clients x {args.duration:g} s", "", "", ""),
        (
            "    successful orders/s",
            fmt(lite_t.per_second),
            fmt(pg_t.per_second),
            ratio(pg_t.per_second, lite_t.per_second, ".1%"),
        ),
        ("    errors", str(lite_t.errors), str(pg_t.errors), ""),
        (
            "    server CPU per order",
            fmt(lite_cpu, ",.0f", " us"),
            fmt(pg_cpu, ",.0f", " us"),
            ratio(pg_cpu, lite_cpu),
        ),
        ("      of it after the clients stopped", after(lite_t), after(pg_t), ""),
        ("      of it on the event loop's thread", on_loop(lite_t), on_loop(pg_t), ""),
        (
            "      seconds until the server was idle",
            f"{lite_t.settle_seconds:.1f}",
            f"{pg_t.settle_seconds:.1f}",
            "",
        ),
        (
            "    server CPU when idle (taken off)",
            f"{lite_t.idle_share:.1%}",
            f"{pg_t.idle_share:.1%}",
            "",
        ),
        (
            "    PostgreSQL server CPU per order",
            "-",
            fmt(pg_t.database_cpu_per_request_us(), ",.0f", " us"),
            "",
        ),
        (f"    open loop {args.rate:g}/s x {args.latency_seconds:g} s", "", "", ""),
        (
            "    p50 / p99 ms",
            f"{lite_l.percentile(50):.1f} / {lite_l.percentile(99):.1f}",
            f"{pg_l.percentile(50):.1f} / {pg_l.percentile(99):.1f}",
            ratio(pg_l.percentile(99), lite_l.percentile(99)),
        ),
        ("    max ms", f"{max(lite_l.latencies_ms):.1f}", f"{max(pg_l.latencies_ms):.1f}", ""),
        ("    server CPU busy", cpu_share(lite_l, "server"), cpu_share(pg_l, "server"), ""),
        ("    open loop errors", str(lite_l.errors), str(pg_l.errors), ""),
    ]


def verdicts(args: argparse.Namespace, runs: dict[str, Run], names: list[str]) -> list[bool]:
    """The PASS/FAIL lines, one a target; the information lines after them."""
    passed: list[bool] = []

    def verdict(ok: bool, text: str, judged: bool = True) -> None:
        print(f"{('PASS' if ok else 'FAIL') if judged else 'info'}  {text}")
        if judged:
            passed.append(ok)

    first = names[0]
    plat_t, bare_t = runs[f"{first} throughput"], runs["bare throughput"]
    share = plat_t.per_second / bare_t.per_second if bare_t.per_second else 0.0
    verdict(
        share >= THROUGHPUT_TARGET and plat_t.errors == 0,
        f"throughput on {DATABASES[first]} {share:.1%} of the bare endpoint "
        f"(target >= {THROUGHPUT_TARGET:.0%}; {plat_t.per_second:,.0f} vs "
        f"{bare_t.per_second:,.0f}/s)",
    )
    for name in names:
        run = runs[f"{name} latency"]
        p99, achieved = run.percentile(99), run.requests_per_second
        verdict(
            p99 < P99_TARGET_MS and run.errors == 0,
            f"p99 {p99:.1f} ms at {args.rate:g} orders/s on {DATABASES[name]} "
            f"(target < {P99_TARGET_MS:g} ms at {TARGET_RATE:g}/s; completed {achieved:.0f}/s, "
            f"{run.errors} errors)",
            judged=args.rate >= TARGET_RATE,
        )
    if len(names) == 2:
        lite, pg = runs["sqlite throughput"], runs["postgres throughput"]
        kept = pg.per_second / lite.per_second if lite.per_second else 0.0
        verdict(
            kept >= POSTGRES_TARGET and pg.errors == 0,
            f"PostgreSQL's throughput {kept:.1%} of SQLite's (target >= {POSTGRES_TARGET:.0%}; "
            f"{pg.per_second:,.0f} vs {lite.per_second:,.0f} orders/s)",
        )
    for name in names:
        run = runs[f"{name} throughput"]
        cpu = run.server_cpu_per_request_us()
        caught_up = math.isfinite(run.settle_seconds)
        verdict(
            cpu is not None and cpu <= CPU_TARGET_US and caught_up,
            f"server CPU {fmt(cpu)} us an order on {DATABASES[name]} (target <= "
            f"{CPU_TARGET_US:,.0f} us; embedded, the projections the orders feed run in the "
            "server process and count, until it was idle again"
            + (")" if caught_up else f"; at least: still busy {SETTLE_WITHIN:g} s after)"),
        )
    bare_cpu, plat_cpu = bare_t.server_cpu_per_request_us(), plat_t.server_cpu_per_request_us()
    if plat_cpu and bare_cpu:
        print(
            f"info  by server CPU per request (independent of this client): the platform on "
            f"{DATABASES[first]} costs {plat_cpu / bare_cpu:.1f}x the bare endpoint, i.e. "
            f"{bare_cpu / plat_cpu:.1%} of its capacity on one core"
        )
    return passed


def notes(args: argparse.Namespace, runs: dict[str, Run], names: list[str]) -> None:
    busy = [
        name
        for name in ("bare", *names)
        if runs[f"{name} throughput"].client_cpu / runs[f"{name} throughput"].seconds > 0.9
    ]
    if busy:
        print(
            f"note  this client process was >90% busy in the {' and '.join(busy)} throughput "
            "run: that requests/s is partly client-bound (it understates the bare floor, "
            "flattering the ratio); the CPU-per-request lines are not"
        )
    for name in names:
        achieved = runs[f"{name} latency"].requests_per_second
        if achieved < 0.95 * args.rate:
            print(
                f"note  on {DATABASES[name]} the platform completed {achieved:.0f} of "
                f"{args.rate:g} offered orders/s: it is saturated, and its latency is queueing "
                "that grows with the run's length"
            )


def report(args: argparse.Namespace, runs: dict[str, Run], names: list[str]) -> bool:
    where = " and ".join(DATABASES[name] for name in names)
    print_table(
        [
            f"Order placement over HTTP: AstraTrade on {where} vs a bare FastAPI endpoint",
            f"(same run). uvicorn.run defaults, 1 worker each; {os.cpu_count()} CPUs shared by",
            f"the servers and this client process; load average now {load_average()}",
        ],
        against_bare(args, runs, names[0]),
    )
    if len(names) == 2:
        print_table(
            [
                "Embedded: trading and the projections its events feed run in the one server",
                "process, whose CPU counts until it was idle again after the clients stopped.",
            ],
            between_databases(args, runs),
        )
    passed = verdicts(args, runs, names)
    notes(args, runs, names)
    return all(passed)


# -- main -------------------------------------------------------------------------------------


async def registered(connections: Connections, server: Server, count: int) -> list[Trader]:
    started = time.perf_counter()
    traders = []
    for n in range(count):  # one at a time: argon2 at full cost on a small server
        async with connections.client() as http:
            traders.append(await new_trader(http, n))
    print(
        f"{server.name}: {len(traders)} traders registered with practice accounts "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return traders


async def measure(
    args: argparse.Namespace, platforms: dict[str, Server], bare: Server
) -> dict[str, Run]:
    """Throughput against the bare endpoint and each platform back to back, then latency
    likewise: the databases meet the same moments of the machine."""
    limit = max(args.connections, args.concurrency)
    servers = {"bare": bare, **platforms}
    pools = {name: Connections(server.url, limit) for name, server in servers.items()}
    try:
        for name, server in servers.items():
            async with pools[name].client() as http:
                await wait_ready(http, server, within=60)
        print(f"load average before: {load_average()} on {os.cpu_count()} CPUs")
        sends: dict[str, Send] = {}
        for name, server in platforms.items():
            traders = await registered(pools[name], server, args.traders)
            sends[name] = sender(pools[name], "/api/v1/orders", traders, platform=True)
            if "bare" not in sends:  # the same bodies and headers to the floor
                sends["bare"] = sender(pools["bare"], "/orders", traders, platform=False)
        order = ["bare", *platforms]
        runs: dict[str, Run] = {}
        for name in order:
            send, server = sends[name], servers[name]
            await closed_loop(send, server, args.concurrency, args.warmup)  # warm, open conns
            if name != "bare":
                await settle(server)
            print(f"{name}: throughput, {args.concurrency} clients, {args.duration:g} s ...")
            if name == "bare":
                run = await closed_loop(send, server, args.concurrency, args.duration)
            else:
                run = await platform_throughput(
                    send, server, args.concurrency, args.duration, database=name
                )
            runs[f"{name} throughput"] = run
        for name in order:
            send, server = sends[name], servers[name]
            if name != "bare":  # no backlog of the throughput run in this one
                await settle(server)
            await open_loop(send, server, args.rate, min(args.warmup, 1.0))
            print(f"{name}: latency at {args.rate:g}/s, {args.latency_seconds:g} s ...")
            runs[f"{name} latency"] = await open_loop(send, server, args.rate, args.latency_seconds)
        return runs
    finally:
        for pool in pools.values():
            await pool.aclose()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--duration", type=float, default=10.0, help="seconds of each throughput run (default 10)"
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=200.0,
        help="requests/s of the open-loop latency runs (default 200)",
    )
    parser.add_argument(
        "--latency-seconds",
        type=float,
        default=10.0,
        help="seconds of each latency run (default 10)",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=16,
        help="closed-loop clients in the throughput runs (default 16)",
    )
    parser.add_argument(
        "--connections",
        type=int,
        default=64,
        help="most connections open to a server in the latency runs",
    )
    parser.add_argument("--traders", type=int, default=8, help="traders placing orders")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up per run")
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgres", "both"],
        default="both",
        help="the platform on SQLite, on PostgreSQL, or both (default)",
    )
    parser.add_argument(
        "--postgres-url",
        default=DEFAULT_POSTGRES,
        help="admin URL of the PostgreSQL server; a database of the run's own is created "
        "beside it and dropped at the end (default $ASTRATRADE_TEST_POSTGRES_URL or "
        "postgresql://postgres@127.0.0.1:5432/test)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    return parser.parse_args()


@contextlib.contextmanager
def own_postgres_database(admin_url: str) -> Iterator[str]:
    """A database of this run's own on the server of `admin_url`, dropped at the end; yields
    the platform's URL for it."""
    from sqlalchemy.engine import make_url

    from astratrade.infrastructure.db import async_url

    name = f"astratrade_bench_orders_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(postgres_admin(admin_url, f'CREATE DATABASE "{name}"'))
    except OSError as error:
        raise SystemExit(
            f"PostgreSQL unreachable at {admin_url} ({error}): pass --postgres-url, or "
            "--database sqlite"
        ) from error
    try:
        yield async_url(make_url(admin_url).set(database=name).render_as_string(False))
    finally:
        asyncio.run(postgres_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def main() -> None:
    args = parse_args()
    names = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="astratrade-bench-")))
        platforms: dict[str, Server] = {}
        for name in names:
            url = (
                stack.enter_context(own_postgres_database(args.postgres_url))
                if (name == "postgres")
                else None
            )
            platforms[name] = start_platform(workdir, url)
            stack.callback(platforms[name].stop)
        bare = start_bare(workdir)
        stack.callback(bare.stop)
        try:
            runs = run_async(measure(args, platforms, bare))
        except BaseException:
            for server in (*platforms.values(), bare):
                print(f"--- {server.name} log ---\n{server.log_tail()}", file=sys.stderr)
            raise
    passed = report(args, runs, names)
    if args.strict and not passed:
        sys.exit(1)


def run_async(coroutine: Awaitable[dict[str, Run]]) -> dict[str, Run]:
    """uvloop for the client too when it is installed (as for the servers): less client CPU."""

    async def wrapped() -> dict[str, Run]:
        return await coroutine

    try:
        import uvloop
    except ImportError:
        return asyncio.run(wrapped())
    return uvloop.run(wrapped())


if __name__ == "__main__":
    main()
