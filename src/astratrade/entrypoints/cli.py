"""The `astratrade` command line."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, TypeVar

import typer
import uvicorn

from astratrade.config import CONTEXTS, Settings
from astratrade.entrypoints.dead_letters_cli import dead_app
from astratrade.infrastructure.logs import configure as configure_logs

app = typer.Typer(help="AstraTrade: the gamified perpetual-futures trading platform.")
users_app = typer.Typer(help="Manage users.")
app.add_typer(users_app, name="users")
worker_app = typer.Typer(help="Event workers (need ASTRATRADE_REDIS_URL).")
app.add_typer(worker_app, name="worker")
app.add_typer(dead_app, name="dead-letters")

# Two hubs by default: the sockets spread, and a client whose hub dies resumes on the other.
REALTIME_REPLICAS = 2
HealthPort = Annotated[int | None, typer.Option(help="serve /healthz and /metrics here")]
T = TypeVar("T")


def _operate(work: Callable[[], Coroutine[Any, Any, T]], settings: Settings) -> T:
    """Run an operator command against the configured database: say which one (on stderr,
    so the answer on stdout stays scriptable), and end with one line instead of a
    traceback when the database is unreachable or the command is refused."""
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.exc import OperationalError as SQLOperationalError

    from astratrade.infrastructure.db import shown_url
    from astratrade.shared.errors import DomainError

    typer.echo(f"database: {shown_url(settings.resolved_database_url)}", err=True)
    try:
        return asyncio.run(work())
    except DomainError as refused:
        typer.echo(f"error: {refused}", err=True)
        raise typer.Exit(1) from refused
    except (OSError, DBAPIError, SQLOperationalError) as unreachable:
        cause = getattr(unreachable, "orig", None) or unreachable
        said = (str(cause).strip() or type(cause).__name__).splitlines()[0]
        hint = (
            (
                " (create it, e.g. `createdb` on that server; `astratrade up --distributed` "
                "creates it)"
            )
            if "does not exist" in said
            else ""
        )
        typer.echo(f"error: the database is unreachable: {said}{hint}", err=True)
        raise typer.Exit(2) from unreachable


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

    _operate(run, settings)
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

    _operate(run, settings)


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

    _operate(run, settings)


@app.command()
def reconcile() -> None:
    """Prove the ledger against trading: exit 0 when every account agrees, 1 with each
    discrepancy (and the events behind it) listed otherwise."""
    from astratrade.financial.reconciliation import reconciliation
    from astratrade.infrastructure.db import create_engine
    from astratrade.trading.views import collateral_by_account

    settings = Settings()

    async def run() -> bool:
        # Read only: the serving process (or the workers) deliver events; a second platform
        # started here would be a second writer of trading's state.
        engine = create_engine(settings.resolved_database_url, read_only=True)
        try:
            report = await reconciliation(engine, lambda: collateral_by_account(engine))
        finally:
            await engine.dispose()
        for finding in report.findings:
            gap = finding.discrepancy
            typer.echo(
                f"DISCREPANCY {gap.account}: ledger {gap.ledger} trading {gap.trading} "
                f"gap {gap.gap}" + "".join(f"\n  unposted {e}" for e in finding.unposted_events)
            )
        verdict = "proven" if report.proven else f"{len(report.findings)} discrepancies"
        typer.echo(f"reconciliation of {report.accounts} accounts: {verdict}")
        return report.proven and await _live_proven(settings)

    if not _operate(run, settings):
        raise typer.Exit(1)


async def _live_proven(settings: Settings) -> bool:
    """Live accounts' collateral against Extended's balances (with the secrets key only:
    without it no live account can be connected)."""
    if settings.secrets_key is None:
        return True
    from astratrade.infrastructure.db import create_engine
    from astratrade.infrastructure.sealing import Sealer, key_from_text
    from astratrade.trading.adapters.extended_orders import ExtendedOrders
    from astratrade.trading.adapters.venue_links import connected_links
    from astratrade.trading.live_reconciliation import live_gaps, live_position_gaps
    from astratrade.trading.views import collateral_by_account, position_sizes_by_account

    engine = create_engine(settings.resolved_database_url, read_only=True)
    try:
        links = await connected_links(engine, Sealer(key_from_text(settings.secrets_key)))
        venue = ExtendedOrders(settings.extended_api_url, settings.extended_markets)
        gaps = await live_gaps(links, venue.balance, await collateral_by_account(engine))
        sizes = await position_sizes_by_account(engine)
        position_gaps = await live_position_gaps(links, venue.positions, sizes)
    finally:
        await engine.dispose()
    for found in gaps:
        venue_says = "unreachable" if found.venue is None else str(found.venue)
        typer.echo(
            f"LIVE GAP {found.account_id}: platform {found.platform} extended {venue_says}"
            + ("" if found.gap is None else f" gap {found.gap}")
        )
    for moved in position_gaps:
        typer.echo(
            f"LIVE GAP {moved.account_id} position {moved.market}: platform {moved.platform} "
            f"extended {moved.venue} gap {moved.gap}"
        )
    verdict = "proven" if not gaps else f"{len(gaps)} gaps"
    typer.echo(f"live collateral of {len(links)} accounts against Extended: {verdict}")
    verdict = "proven" if not position_gaps else f"{len(position_gaps)} gaps"
    typer.echo(f"live positions of {len(links)} accounts against Extended: {verdict}")
    return not gaps and not position_gaps


def main() -> None:
    app()
