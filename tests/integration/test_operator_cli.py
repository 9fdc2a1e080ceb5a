"""The operator commands say which database (or Redis) they use and end with one line, not
a traceback, when it is unreachable or the command is refused; `up --distributed` creates a
missing PostgreSQL database."""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from astratrade.infrastructure.db import create_database_if_missing

CLI = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "astratrade"


def astratrade(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [str(CLI), *args],
        env={"PATH": "/usr/bin:/bin", "ASTRATRADE_DATA_DIR": str(tmp_path), **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_promote_of_an_unknown_user_is_one_line_naming_the_database(tmp_path: Path) -> None:
    done = astratrade(tmp_path, "users", "promote", "nobody")
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"database: sqlite+aiosqlite:///{tmp_path / 'astratrade.db'}",
        "error: no user named 'nobody'",
    ]


@pytest.mark.parametrize("command", [("users", "promote", "x"), ("reconcile",), ("migrate",)])
def test_an_unreachable_database_is_one_line_and_the_password_stays_hidden(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    url = "postgresql://postgres:s3cret@127.0.0.1:1/nowhere"  # nothing listens on port 1
    done = astratrade(tmp_path, *command, ASTRATRADE_DATABASE_URL=url)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.splitlines()
    assert lines[0] == "database: postgresql+asyncpg://postgres:***@127.0.0.1:1/nowhere"
    assert lines[1].startswith("error: the database is unreachable: ")
    assert len(lines) == 2
    assert "s3cret" not in done.stderr


@pytest.mark.parametrize("command", [("list",), ("show", "1-0"), ("replay", "1-0")])
def test_dead_letters_with_redis_unreachable_is_one_line_naming_it(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    url = "redis://:s3cret@127.0.0.1:1/0"  # nothing listens on port 1
    done = astratrade(
        tmp_path, "dead-letters", *command, "--context", "trading", ASTRATRADE_REDIS_URL=url
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.splitlines()
    assert lines[0] == "redis: redis://:***@127.0.0.1:1/0"
    assert lines[1].startswith("error: Redis is unreachable: ")
    assert len(lines) == 2
    assert "s3cret" not in done.stderr


async def _exists_then_drop(server_url: str, name: str) -> bool:
    dsn = make_url(server_url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn, timeout=5)
    try:
        found = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
    return found == 1


@pytest.mark.postgres
def test_a_missing_postgres_database_is_created_once(postgres_url: str) -> None:
    name = f"{make_url(postgres_url).database}_created_{uuid.uuid4().hex[:6]}"
    url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    try:
        assert asyncio.run(create_database_if_missing(url)) is True
        assert asyncio.run(create_database_if_missing(url)) is False
    finally:
        assert asyncio.run(_exists_then_drop(postgres_url, name))
