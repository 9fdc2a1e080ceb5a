"""`astratrade dead-letters`: the events a context gave up on, listed, shown and replayed."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from typing import Annotated
from urllib.parse import urlsplit, urlunsplit

import typer

from astratrade.config import Settings
from astratrade.infrastructure.dead_letters import DeadLetters

dead_app = typer.Typer(help="Events a context gave up on: list, show, replay.")

Context = Annotated[str, typer.Option(help="the consuming context")]


@dead_app.command("list")
def dead_letters_list(context: Context, count: int = 100) -> None:
    """The oldest dead letters of a context: id, event type, attempts, error."""

    async def run(letters: DeadLetters) -> None:
        for letter in await letters.list(count):
            typer.echo(
                f"{letter.id}  {letter.event_type}  attempts={letter.attempts}  "
                f"{letter.at}  {letter.error}"
            )

    _with_dead_letters(context, run)


@dead_app.command("show")
def dead_letters_show(letter_id: str, context: Context) -> None:
    """One dead letter in full, with its event envelope."""

    async def run(letters: DeadLetters) -> None:
        letter = await letters.get(letter_id)
        if letter is None:
            raise typer.Exit(_missing(letter_id))
        for name, value in dataclasses.asdict(letter).items():
            typer.echo(f"{name}: {value}")

    _with_dead_letters(context, run)


@dead_app.command("replay")
def dead_letters_replay(letter_id: str, context: Context) -> None:
    """Put a dead letter's event back on its stream (after a fix it is applied once)."""

    async def run(letters: DeadLetters) -> None:
        message_id = await letters.replay(letter_id)
        if message_id is None:
            raise typer.Exit(_missing(letter_id))
        typer.echo(f"replayed {letter_id} as {message_id}")

    _with_dead_letters(context, run)


def _missing(letter_id: str) -> int:
    typer.echo(f"error: no dead letter {letter_id}", err=True)
    return 1


def _with_dead_letters(context: str, action: Callable[[DeadLetters], Awaitable[None]]) -> None:
    """Run `action` against the configured Redis: say which one (on stderr, as the database
    commands name theirs), and end with one line instead of a traceback when it is
    unreachable."""
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    from astratrade.infrastructure import streams

    settings = Settings()
    if settings.redis_url is None:
        typer.echo("error: dead letters live in Redis: set ASTRATRADE_REDIS_URL", err=True)
        raise typer.Exit(2)
    url = settings.redis_url
    typer.echo(f"redis: {_shown(url)}", err=True)

    async def run() -> None:
        redis = streams.connect(url)
        try:
            await action(DeadLetters(redis, settings.redis_prefix, context))
        finally:
            await redis.aclose()

    try:
        asyncio.run(run())
    except (OSError, RedisConnectionError, RedisTimeoutError) as unreachable:
        said = (str(unreachable).strip() or type(unreachable).__name__).splitlines()[0]
        typer.echo(f"error: Redis is unreachable: {said}", err=True)
        raise typer.Exit(2) from unreachable


def _shown(url: str) -> str:
    """A Redis URL fit for a message: its password masked."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")))
