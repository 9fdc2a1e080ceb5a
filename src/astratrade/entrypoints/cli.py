"""The `astratrade` command line."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
import uvicorn

from astratrade.config import CONTEXTS, Settings
from astratrade.entrypoints.dead_letters_cli import dead_app
from astratrade.entrypoints.operator_runs import operate
from astratrade.entrypoints.reconcile_cli import reconcile
from astratrade.infrastructure.logs import configure as configure_logs

app = typer.Typer(help="AstraTrade: the gamified perpetual-futures trading platform.")
users_app = typer.Typer(help="Manage users.")
app.add_typer(users_app, name="users")
worker_app = typer.Typer(help="Event workers (need ASTRATRADE_REDIS_URL).")
app.add_typer(worker_app, name="worker")
app.add_typer(dead_app, name="dead-letters")
app.command()(reconcile)

# Two hubs by default: the sockets spread, and a client whose hub dies resumes on the other.
REALTIME_REPLICAS = 2
HealthPort = Annotated[int | None, typer.Option(help="serve /healthz and /metrics here")]


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    service: Annotated[
        str | None,
        typer.Option(
            help=f"serve one context ({', '.join(CONTEXTS)}) or `realtime`: the WebSocket hub"
        ),
    ] = None,
    gateway: Annotated[bool, typer.Option(help="serve the gateway of distributed mode")] = False,
    health_port: Annotated[
        int | None, typer.Option(help="serve /healthz and /metrics here; /metrics leaves --port")
    ] = None,
) -> None:
    """Run the platform: embedded (every context in one process), one context's service,
    or the gateway in front of the services. /metrics is on --port unless a --health-port
    is given (production: Prometheus reads a port the public never reaches)."""
    from fastapi import FastAPI

    from astratrade.entrypoints.http_protocol import CappedHttpToolsProtocol
    from astratrade.entrypoints.realtime.transport import DirectSendProtocol

    if service is not None and gateway:
        raise typer.BadParameter("either --service or --gateway")
    distributed = service is not None or gateway
    settings = Settings(service=service, embedded=not distributed)
    if service == "trading" and settings.trading_advertise_url is None:
        settings.trading_advertise_url = reachable_at(host, port)
    configure_logs(settings, "gateway" if gateway else service or "embedded")
    application: FastAPI
    if gateway:
        from astratrade.entrypoints.gateway.app import create_gateway

        application = create_gateway(settings, metrics=health_port is None)
    else:
        from astratrade.entrypoints.app import create_app

        application = create_app(settings=settings, metrics=health_port is None)
    if health_port is not None:
        from astratrade.entrypoints.probe import start_probe

        # Alive while the process is: the orchestrator's probes stay on --port, which shows
        # the event loop answering.
        start_probe(host, health_port, lambda: True)
    # Behind the gateway, the client's address comes in X-Forwarded-For from the proxies
    # FORWARDED_ALLOW_IPS names (uvicorn's setting; 127.0.0.1 by default).
    uvicorn.run(
        application,
        host=host,
        port=port,
        log_config=None,
        ws=DirectSendProtocol,
        http=CappedHttpToolsProtocol,
        h11_max_incomplete_event_size=settings.max_header_bytes,
        proxy_headers=distributed,
        timeout_graceful_shutdown=10,
    )


def reachable_at(host: str, port: int) -> str | None:
    """The URL others reach this server at, when the address it listens on says so; None
    when it listens on every interface (which of them the others reach, it cannot tell)."""
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 - compared, not bound
        return None
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@app.command()
def migrate() -> None:
    """Bring the database to the migrations' head and exit (before services start)."""
    from astratrade.infrastructure.db import create_engine
    from astratrade.infrastructure.migrations import migrate as upgrade

    settings = Settings()
    configure_logs(settings, "migrate")

    async def run() -> None:
        engine = create_engine(settings.resolved_database_url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    operate(run, settings)
    typer.echo("migrations at head")


@app.command()
def up(
    distributed: Annotated[bool, typer.Option(help="gateway, services and relay as processes")],
    port: Annotated[int, typer.Option(help="the gateway's port; services take the next")] = 8000,
    restart_after: Annotated[float, typer.Option(help="seconds before a crashed one restarts")] = 2,
    trading_replicas: Annotated[
        int, typer.Option(min=1, max=256, help="trading processes, each writing its shards")
    ] = 1,
    realtime_replicas: Annotated[
        int,
        typer.Option(
            min=0, max=64, help="WebSocket hub processes (0: trading's replicas serve sockets)"
        ),
    ] = REALTIME_REPLICAS,
) -> None:
    """Start distributed mode on this machine: migrations, the relay, every context's
    service (trading as --trading-replicas processes), the realtime service
    (--realtime-replicas WebSocket hubs) and the gateway, against ASTRATRADE_DATABASE_URL
    and ASTRATRADE_REDIS_URL; one log view; Ctrl-C stops them all."""
    from astratrade.entrypoints.supervisor import SupervisorError, run_distributed

    if not distributed:
        raise typer.BadParameter("only --distributed is supported; `serve` runs embedded")
    try:
        code = asyncio.run(
            run_distributed(Settings(), port, restart_after, trading_replicas, realtime_replicas)
        )
    except SupervisorError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error
    raise typer.Exit(code)


@users_app.command("promote")
def promote(username: str) -> None:
    """Make USERNAME an admin (takes effect at the user's next login)."""
    from astratrade.bootstrap import bootstrap
    from astratrade.infrastructure.migrations import migrate
    from astratrade.users.domain.commands import PromoteUser

    settings = Settings(price_feed="manual")

    async def run() -> None:
        platform = bootstrap(settings)
        try:
            await migrate(platform.db)
            user = await platform.bus.execute(PromoteUser(username=username))
        finally:
            await platform.stop()  # the event waits in the outbox for the next start
        typer.echo(f"{user.username} is now {user.role} (from the next login)")

    operate(run, settings)


@worker_app.command("relay")
def worker_relay(host: str = "127.0.0.1", health_port: HealthPort = None) -> None:
    """Move committed outbox rows to Redis Streams."""
    _run_worker("relay", None, host, health_port)


@worker_app.command("consume")
def worker_consume(
    context: Annotated[str, typer.Option(help="the context whose consumer group to run")],
    host: str = "127.0.0.1",
    health_port: HealthPort = None,
) -> None:
    """Apply the events a context subscribes to, exactly once."""
    _run_worker("consume", context, host, health_port)


def _run_worker(kind: str, context: str | None, host: str, health_port: int | None) -> None:
    from astratrade.entrypoints.workers import WorkerError, run_worker

    configure_logs(Settings(), kind if context is None else context)
    try:
        asyncio.run(run_worker(kind, context=context, host=host, health_port=health_port))
    except WorkerError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error


projections_app = typer.Typer(help="Read models built from events.")
app.add_typer(projections_app, name="projections")


@projections_app.command("list")
def projections_list() -> None:
    """The read models that can be rebuilt, with the events they read."""
    from astratrade.bootstrap import bootstrap

    platform = bootstrap(Settings(price_feed="manual"))
    for projection in platform.projections:
        typer.echo(f"{projection.name}  ({', '.join(sorted(projection.event_types))})")
    asyncio.run(platform.stop())  # nothing was read: the names come from the code


@projections_app.command("rebuild")
def projections_rebuild(name: str) -> None:
    """Clear a read model and fold the whole audit event log into it again."""
    from astratrade.bootstrap import bootstrap
    from astratrade.gamification.adapters.board_index import BoardIndex
    from astratrade.infrastructure.migrations import migrate
    from astratrade.infrastructure.projections import rebuild
    from astratrade.modules import provided

    settings = Settings(price_feed="manual")

    async def run() -> None:
        platform = bootstrap(settings)
        try:
            projection = next((p for p in platform.projections if p.name == name), None)
            if projection is None:
                known = ", ".join(p.name for p in platform.projections)
                typer.echo(f"error: no projection {name!r}; projections: {known}", err=True)
                raise typer.Exit(2)
            await migrate(platform.db)
            count = await rebuild(
                platform.read_db, platform.writer, projection, platform.clock.now()
            )
            typer.echo(f"rebuilt {name} from {count} events")
            boards = provided(platform.modules, BoardIndex)
            if boards is not None:  # the boards' Redis index follows the SQL
                async with platform.read_db.connect() as conn:
                    rows = await boards.load(conn)
                typer.echo(f"reloaded {rows} board rows into Redis")
        finally:
            await platform.stop()

    operate(run, settings)


def main() -> None:
    app()
