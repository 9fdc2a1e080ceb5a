"""Order placement through the HTTP API, beside a bare FastAPI endpoint measured in the same run.

Starts two uvicorn subprocesses served the same way (one worker, uvicorn's "auto" loop and
http, i.e. uvloop + httptools): the real platform (`astratrade serve`, manual price feed,
SQLite in a temporary directory) and `bench.bare_app` (the floor). Then, from this process
with keep-alive `httpx.AsyncClient`s:

(a) throughput: N closed-loop clients place 0.001 BTC-USD market orders (each client
    alternates buy and sell, so margin never runs out) for --duration seconds; the same N
    clients post the same body to the bare endpoint. Each server is then left to finish
    what the run queued (the in-process dispatcher delivering the orders' events) until it
    is idle, and that CPU is reported beside the window's;
(b) latency: an open-loop schedule of --rate requests a second for --latency-seconds
    (request i is sent at t0 + i/rate whether or not earlier ones finished, and its latency
    counts from that scheduled time, so a stall is not hidden by coordinated omission).

Targets (issue): platform throughput >= 25 % of the bare endpoint's; p99 < 25 ms at
200 orders/s.

    python -m bench.orders_http [--duration 10] [--rate 200] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# httpcore asks `import sniffio` on every lock it creates; sniffio is not installed here, and a
# failed import searches sys.path each time (~0.3 ms a request). None in sys.modules makes it
# fail at once, and httpcore then assumes asyncio, which is what runs. Client-side only.
sys.modules.setdefault("sniffio", None)  # type: ignore[arg-type]

import httpx  # noqa: E402 - after the sniffio short-cut above

from bench.common import load_average, percentile  # noqa: E402 - after httpx, as above

THROUGHPUT_TARGET = 0.25  # platform orders/s over bare requests/s
P99_TARGET_MS = 25.0
TARGET_RATE = 200.0  # orders/s at which the p99 target holds
# After a throughput run, the server is idle once it spends under 5 % of a core over 0.2 s.
IDLE_PROBE_SECONDS, IDLE_SHARE, SETTLE_LIMIT_SECONDS = 0.2, 0.05, 30.0
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


def start_platform(workdir: Path) -> Server:
    port = free_port()
    env = {
        **os.environ,
        "ASTRATRADE_PRICE_FEED": "manual",
        "ASTRATRADE_CLOCK": "system",
        "ASTRATRADE_DATA_DIR": str(workdir / "data"),
        "ASTRATRADE_LOG_LEVEL": "warning",
        "ASTRATRADE_RATE_LIMIT_REGISTER_PER_IP": "",  # the bench signs its traders up at once
    }
    env.pop("ASTRATRADE_DATABASE_URL", None)  # the temporary SQLite file, never a real one
    log = workdir / "platform.log"
    command = [executable("astratrade"), "serve", "--port", str(port)]
    return _spawn("astratrade", command, env, port, log)


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
    name = f"bench{n:03d}"
    registered = await client.post(
        "/api/v1/auth/register",
        json={"email": f"{name}@bench.example", "username": name, "password": PASSWORD},
    )
    registered.raise_for_status()
    login = await client.post("/api/v1/auth/login", json={"username": name, "password": PASSWORD})
    login.raise_for_status()
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    # The practice account is opened asynchronously, by an event handler of UserRegistered.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        accounts = await client.get("/api/v1/accounts", headers=headers)
        accounts.raise_for_status()
        if accounts.json():
            return Trader(headers, accounts.json()[0]["account_id"])
        await asyncio.sleep(0.05)
    raise RuntimeError(f"no practice account for {name} after 15 s")


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
    measure the client rather than the server."""

    def __init__(self, base_url: str, limit: int) -> None:
        self._base_url = base_url
        self._idle: list[httpx.AsyncClient] = []
        self._all: list[httpx.AsyncClient] = []
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
    # Spent by the server after the run until idle: work the run's requests left queued
    # (their committed events, delivered by the in-process dispatcher).
    queued_cpu: float = 0.0
    queued_seconds: float = 0.0

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

    def server_cpu_per_request_us(self, *, queued: bool = False) -> float | None:
        if self.server_cpu is None or not self.latencies_ms:
            return None
        cpu = self.server_cpu + (self.queued_cpu if queued else 0.0)
        return cpu / len(self.latencies_ms) * 1e6


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
    run = Run(meter.seconds, latencies, errors, meter.client_cpu, meter.server_cpu)
    await settle(server, run)
    return run


async def settle(server: Server, run: Run) -> None:
    """Wait until the server is idle, and note what it spent meanwhile: a server that lets
    its events queue up answers faster in the window and pays later (and the next phase
    would be measured beside that backlog)."""
    before, started = server.cpu_seconds(), time.perf_counter()
    if before is None:
        return
    last = before
    while time.perf_counter() - started < SETTLE_LIMIT_SECONDS:
        await asyncio.sleep(IDLE_PROBE_SECONDS)
        now = server.cpu_seconds()
        if now is None or now - last < IDLE_PROBE_SECONDS * IDLE_SHARE:
            break
        last = now
    run.queued_cpu = (server.cpu_seconds() or before) - before
    run.queued_seconds = time.perf_counter() - started


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


def report(args: argparse.Namespace, runs: dict[str, Run]) -> bool:
    plat_t, bare_t = runs["platform throughput"], runs["bare throughput"]
    plat_l, bare_l = runs["platform latency"], runs["bare latency"]
    ratio = plat_t.per_second / bare_t.per_second if bare_t.per_second else 0.0
    p99 = plat_l.percentile(99)
    bare_cpu, plat_cpu = bare_t.server_cpu_per_request_us(), plat_t.server_cpu_per_request_us()
    plat_all = plat_t.server_cpu_per_request_us(queued=True)
    rows: list[tuple[str, str, str, str]] = [
        ("(a) throughput, closed loop", "bare FastAPI", "AstraTrade", "ratio"),
        (f"    {args.concurrency} clients x {args.duration:g} s", "", "", ""),
        ("    requests/s", fmt(bare_t.requests_per_second), fmt(plat_t.requests_per_second), ""),
        (
            "    successful (orders)/s",
            fmt(bare_t.per_second),
            fmt(plat_t.per_second),
            f"{ratio:.1%}",
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
            f"{plat_cpu / bare_cpu:.1f}x" if plat_cpu and bare_cpu else "",
        ),
        (
            "    ... with the work it left queued",
            fmt(bare_t.server_cpu_per_request_us(queued=True), ",.0f", " us"),
            fmt(plat_all, ",.0f", " us"),
            "",
        ),
        (
            "    server busy after the run",
            f"{bare_t.queued_seconds:.1f} s",
            f"{plat_t.queued_seconds:.1f} s",
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
            f"{plat_l.percentile(50) / bare_l.percentile(50):.1f}x",
        ),
        (
            "    p99 ms",
            f"{bare_l.percentile(99):.2f}",
            f"{p99:.2f}",
            f"{p99 / bare_l.percentile(99):.1f}x",
        ),
        ("    max ms", f"{max(bare_l.latencies_ms):.2f}", f"{max(plat_l.latencies_ms):.2f}", ""),
        ("    server CPU busy", cpu_share(bare_l, "server"), cpu_share(plat_l, "server"), ""),
    ]
    print()
    print("Order placement over HTTP: AstraTrade vs a bare FastAPI endpoint (same run)")
    print(f"uvicorn.run defaults, 1 worker each; SQLite; {os.cpu_count()} CPUs shared by the")
    print(f"two servers and this client process; load average now {load_average()}")
    print("-" * 92)
    for label, bare, plat, rat in rows:
        print(f"{label:<44}{bare:>16}{plat:>16}{rat:>16}")
    print("-" * 92)
    throughput_ok = ratio >= THROUGHPUT_TARGET and plat_t.errors == 0
    latency_ok = p99 < P99_TARGET_MS and plat_l.errors == 0 and args.rate >= TARGET_RATE
    achieved = plat_l.requests_per_second
    print(
        f"{'PASS' if throughput_ok else 'FAIL'}  throughput {ratio:.1%} of the bare endpoint "
        f"(target >= {THROUGHPUT_TARGET:.0%}; {plat_t.per_second:,.0f} vs "
        f"{bare_t.per_second:,.0f}/s)"
    )
    verdict = ("PASS" if latency_ok else "FAIL") if args.rate >= TARGET_RATE else "info"
    print(
        f"{verdict}  p99 {p99:.1f} ms at {args.rate:g} orders/s "
        f"(target < {P99_TARGET_MS:g} ms at {TARGET_RATE:g}/s; completed {achieved:.0f}/s, "
        f"{plat_l.errors} errors)"
    )
    if plat_cpu and bare_cpu:
        print(
            f"info  by server CPU per request (independent of this client): the platform "
            f"costs {plat_cpu / bare_cpu:.1f}x the bare endpoint, i.e. "
            f"{bare_cpu / plat_cpu:.1%} of its capacity on one core"
        )
    busy_client = [
        n for n, r in (("bare", bare_t), ("platform", plat_t)) if r.client_cpu / r.seconds > 0.9
    ]
    if busy_client:
        print(
            f"note  this client process was >90% busy in the {' and '.join(busy_client)} "
            "throughput run: that requests/s is partly client-bound (it understates the bare "
            "floor, flattering the ratio); the CPU-per-request line above is not"
        )
    if achieved < 0.95 * args.rate:
        print(
            f"note  the platform completed {achieved:.0f} of {args.rate:g} offered orders/s: "
            "it is saturated, and its latency is queueing that grows with the run's length"
        )
    return throughput_ok and latency_ok


# -- main -------------------------------------------------------------------------------------


async def measure(args: argparse.Namespace, platform: Server, bare: Server) -> dict[str, Run]:
    limit = max(args.connections, args.concurrency)
    plat_conns, bare_conns = Connections(platform.url, limit), Connections(bare.url, limit)
    try:
        async with plat_conns.client() as plat_http, bare_conns.client() as bare_http:
            await asyncio.gather(wait_ready(plat_http, platform), wait_ready(bare_http, bare))
        print(f"load average before: {load_average()} on {os.cpu_count()} CPUs")
        started = time.perf_counter()
        traders = []
        for n in range(args.traders):  # one at a time: argon2 at full cost on a small server
            async with plat_conns.client() as http:
                traders.append(await new_trader(http, n))
        print(
            f"{len(traders)} traders registered with practice accounts "
            f"in {time.perf_counter() - started:.1f} s"
        )
        plat_send = sender(plat_conns, "/api/v1/orders", traders, platform=True)
        bare_send = sender(bare_conns, "/orders", traders, platform=False)
        runs: dict[str, Run] = {}
        for name, send, server in (("bare", bare_send, bare), ("platform", plat_send, platform)):
            await closed_loop(send, server, args.concurrency, args.warmup)  # warm, open conns
            print(f"{name}: throughput, {args.concurrency} clients, {args.duration:g} s ...")
            runs[f"{name} throughput"] = await closed_loop(
                send, server, args.concurrency, args.duration
            )
        for name, send, server in (("bare", bare_send, bare), ("platform", plat_send, platform)):
            await open_loop(send, server, args.rate, min(args.warmup, 1.0))
            print(f"{name}: latency at {args.rate:g}/s, {args.latency_seconds:g} s ...")
            runs[f"{name} latency"] = await open_loop(send, server, args.rate, args.latency_seconds)
        return runs
    finally:
        await plat_conns.aclose()
        await bare_conns.aclose()


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
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="astratrade-bench-") as tmp:
        workdir = Path(tmp)
        platform, bare = start_platform(workdir), start_bare(workdir)
        try:
            runs = run_async(measure(args, platform, bare))
        except BaseException:
            for server in (platform, bare):
                print(f"--- {server.name} log ---\n{server.log_tail()}", file=sys.stderr)
            raise
        finally:
            platform.stop()
            bare.stop()
    passed = report(args, runs)
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
