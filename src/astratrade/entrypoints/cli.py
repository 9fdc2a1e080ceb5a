"""The `astratrade` command line."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

import typer
import uvicorn

from astratrade.config import Settings

app = typer.Typer(help="AstraTrade: the gamified perpetual-futures trading platform.")
users_app = typer.Typer(help="Manage users.")
app.add_typer(users_app, name="users")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
) -> None:
    """Run the embedded platform: every context in one process."""
    from astratrade.entrypoints.app import create_app

    settings = Settings()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    uvicorn.run(
        create_app(settings=settings), host=host, port=port, log_level=settings.log_level.lower()
    )


@users_app.command("promote")
def promote(username: str) -> None:
    """Make USERNAME an admin (takes effect at the user's next login)."""
    from astratrade.bootstrap import bootstrap
    from astratrade.infrastructure.migrations import migrate
    from astratrade.users.domain.commands import PromoteUser

    async def run() -> None:
        platform = bootstrap(Settings(price_feed="manual"))
        try:
            await migrate(platform.db)
            user = await platform.bus.execute(PromoteUser(username=username))
        finally:
            await platform.stop()  # the event waits in the outbox for the next start
        typer.echo(f"{user.username} is now {user.role}")

    asyncio.run(run())


def main() -> None:
    app()
