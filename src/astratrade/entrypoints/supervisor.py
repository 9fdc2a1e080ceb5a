"""`astratrade up --distributed`: distributed mode as local processes, the way to try it on
one machine. Migrations first, then the relay, the context services (trading as
`--trading-replicas` processes, each writing the shards it leases), the realtime service's
`--realtime-replicas` (the WebSocket hub; 0: trading's replicas serve the sockets) and the
gateway, each an `astratrade` process of its own against the PostgreSQL and Redis of the
settings.
Their output is one log view, each line under its process's name; a process that dies is
started again after a pause; Ctrl-C (or SIGTERM) stops the gateway first, then the
services, then the relay, each given time to finish what it holds."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import signal
import socket
import sys
from dataclasses import dataclass, field

from sqlalchemy.exc import DBAPIError

from astratrade.config import CONTEXTS, REALTIME, Settings
from astratrade.infrastructure.db import create_database_if_missing, shown_url

STOP_SECONDS = 15.0


class SupervisorError(Exception):
    """Distributed mode cannot start as configured (said once, plainly)."""


@dataclass
class Child:
    name: str
    args: list[str]
    env: dict[str, str] = field(default_factory=dict)  # this process's own settings
    process: asyncio.subprocess.Process | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


def free_ports(count: int, taken: int) -> list[int]:
    """`count` ports the system has free now, all different and none of them `taken` (the
    gateway's): each probe holds its port until all are chosen, so none comes twice (one
    let go at once came back as the next, and two services met on it)."""
    probes: list[socket.socket] = []
    chosen: list[int] = []
    try:
        while len(chosen) < count:
            probe = socket.socket()
            probes.append(probe)  # held, `taken` too: the next probe gets another
            probe.bind(("127.0.0.1", 0))
            port: int = probe.getsockname()[1]
            if port != taken:
                chosen.append(port)
    finally:
        for probe in probes:
            probe.close()
    return chosen


def plan(
    port: int, trading_replicas: int = 1, realtime_replicas: int = 0
) -> tuple[list[Child], dict[str, str]]:
    """The processes (start order) and the service URLs they share: the gateway on `port`,
    the rest on ports the system has free now. Trading's URL lists every replica (`|`):
    the gateway asks any of them for the shard map and routes each trader to the replica
    writing their shard, which each replica advertises as its own URL. The realtime
    service's lists its replicas too: the gateway spreads the sockets over them."""
    services = [context for context in CONTEXTS if context != "trading"]
    free = iter(free_ports(len(services) + trading_replicas + realtime_replicas + 1, port))
    ports = {context: next(free) for context in services}
    replicas = [f"http://127.0.0.1:{next(free)}" for _ in range(trading_replicas)]
    urls = {c: f"http://127.0.0.1:{p}" for c, p in ports.items()} | {"trading": "|".join(replicas)}
    hubs = [f"http://127.0.0.1:{next(free)}" for _ in range(realtime_replicas)]
    children = [Child("relay", ["worker", "relay", "--health-port", str(next(free))])]
    for context in CONTEXTS:
        if context != "trading":
            children.append(Child(context, _serve(context, urls[context])))
            continue
        for number, url in enumerate(replicas, start=1):
            name = "trading" if trading_replicas == 1 else f"trading-{number}"
            advertise = {"ASTRATRADE_TRADING_ADVERTISE_URL": url}
            children.append(Child(name, _serve(context, url), advertise))
    for number, url in enumerate(hubs, start=1):
        children.append(Child(f"realtime-{number}", _serve(REALTIME, url)))
    children.append(Child("gateway", ["serve", "--gateway", "--port", str(port)]))
    shared = ",".join(f"{context}={urls[context]}" for context in CONTEXTS)
    if hubs:
        shared += f",{REALTIME}={'|'.join(hubs)}"
    return children, {"ASTRATRADE_SERVICE_URLS": shared}


def metrics_urls(children: list[Child]) -> str:
    """Where Prometheus reads each process (`name=url,...`): the health port when it has
    one, else its API port (deploy/monitoring/local_targets.py turns this into targets)."""
    found = []
    for child in children:
        flag = "--health-port" if "--health-port" in child.args else "--port"
        port = child.args[child.args.index(flag) + 1]
        found.append(f"{child.name}=http://127.0.0.1:{port}/metrics")
    return ",".join(found)


def _serve(context: str, url: str) -> list[str]:
    return ["serve", "--service", context, "--port", url.rsplit(":", 1)[1]]


def executable() -> str:
    here = os.path.join(os.path.dirname(sys.executable), "astratrade")
    return here if os.path.exists(here) else shutil.which("astratrade") or "astratrade"


async def run_distributed(
    settings: Settings,
    port: int,
    restart_after: float,
    trading_replicas: int = 1,
    realtime_replicas: int = 0,
) -> int:
    if settings.redis_url is None or not (settings.database_url or "").startswith("postgresql"):
        raise SupervisorError(
            "distributed mode shares PostgreSQL and Redis: set "
            "ASTRATRADE_DATABASE_URL (postgresql+asyncpg://...) and "
            "ASTRATRADE_REDIS_URL"
        )
    if not 1 <= trading_replicas <= settings.trading_shards:
        raise SupervisorError(
            f"{trading_replicas} trading replicas need at least as many shards: set "
            f"ASTRATRADE_TRADING_SHARDS (now {settings.trading_shards}) to {trading_replicas} "
            "or more before the first start (a database keeps its shard count)"
        )
    children, shared = plan(port, trading_replicas, realtime_replicas)
    env = {**os.environ, **shared, "ASTRATRADE_EMBEDDED": "false"}
    # One secret for the run when none is set: every process must verify the same tokens.
    env.setdefault("ASTRATRADE_JWT_SECRET", secrets.token_urlsafe(48))
    try:
        if await create_database_if_missing(settings.database_url or ""):
            _say("up", f"created the database {shown_url(settings.database_url or '')}")
    except (OSError, DBAPIError) as error:
        raise SupervisorError(
            f"PostgreSQL at {shown_url(settings.database_url or '')} is unreachable: {error}"
        ) from error
    if await (await _start(Child("migrate", ["migrate"]), env)).wait() != 0:
        raise SupervisorError("migrations failed; see the log above")
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    for child in children:
        await _start(child, env)
    _say("up", f"services at {shared['ASTRATRADE_SERVICE_URLS']}")
    _say("up", f"metrics at {metrics_urls(children)}")
    _say("up", f"gateway on http://127.0.0.1:{port} (Ctrl-C stops everything)")
    keepers = [asyncio.create_task(_keep(c, env, restart_after, stopping)) for c in children]
    await stopping.wait()
    # The gateway first: no new requests. Then the rest together: each stops on its own
    # (what it has not relayed waits in its outbox), so the stop takes the slowest's time.
    gateway, *services = reversed(children)
    await _stop(gateway)
    await asyncio.gather(*(_stop(child) for child in services))
    for keeper in keepers:
        keeper.cancel()
    return 0


async def _start(child: Child, env: dict[str, str]) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        executable(),
        *child.args,
        env={**env, **child.env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
    )
    child.process = process
    _say(child.name, f"started (pid {process.pid})")
    if process.stdout is not None:
        child.tasks.append(asyncio.create_task(_echo(child.name, process.stdout)))
    return process


async def _keep(child: Child, env: dict[str, str], pause: float, stopping: asyncio.Event) -> None:
    """Start the child again whenever it dies, until the stop."""
    while not stopping.is_set() and child.process is not None:
        code = await child.process.wait()
        if stopping.is_set():
            return
        _say(child.name, f"exited with {code}; starting again in {pause:g} s")
        await asyncio.sleep(pause)
        if not stopping.is_set():
            await _start(child, env)


async def _stop(child: Child) -> None:
    process = child.process
    if process is None or process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), STOP_SECONDS)
    except TimeoutError:
        _say(child.name, "did not stop in time; killed")
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
    for task in child.tasks:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 1)
    _say(child.name, f"stopped ({process.returncode})")


async def _echo(name: str, output: asyncio.StreamReader) -> None:
    async for line in output:
        _say(name, line.decode(errors="replace").rstrip())


def _say(name: str, text: str) -> None:
    sys.stdout.write(f"{name:>12} | {text}\n")
    sys.stdout.flush()
