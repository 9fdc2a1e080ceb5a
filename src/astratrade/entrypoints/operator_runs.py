"""Running an operator command of the `astratrade` command line against the configured
database, with one line instead of a traceback when it cannot."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import typer

from astratrade.config import Settings

T = TypeVar("T")


def operate(work: Callable[[], Coroutine[Any, Any, T]], settings: Settings) -> T:
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
