"""Alembic migrations: applied when the embedded platform starts; in distributed mode by
`astratrade migrate`, a Job run before the services start (a service never migrates, and
its /readyz answers 503 "not at head" until the Job has run).

Per context? There is one linear chain, and one alembic_version row says how far it got,
so it is applied whole: `migrate(engine)` for every context. Each migration from 0017 on
touches one context's schema (or `events`), named in its first docstring line, so a chain
applied "for one context" would still run the others' steps; a `--context` option can only
choose what to report, not what to skip. Independent chains would need an Alembic branch
per context (a version row each) from here on: possible, not worth it while one Job runs
before every rollout. Two Jobs at once are safe: the second waits on a lock, then finds
the database at head."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
# PostgreSQL advisory lock key of the chain ("astr" in ASCII): one migration run at a time.
MIGRATION_LOCK = 0x61737472


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


async def migrate(engine: AsyncEngine, revision: str = "head") -> None:
    """Upgrade the database to `revision` on one connection, in one transaction."""

    def upgrade(connection: Connection) -> None:
        if connection.dialect.name == "postgresql":  # held until this transaction ends
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.begin() as conn:
        await conn.run_sync(upgrade)


async def at_head(engine: AsyncEngine) -> bool:
    """Whether the database carries every migration this code knows (readiness)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())

    def current(connection: Connection) -> set[str]:
        return set(MigrationContext.configure(connection).get_current_heads())

    async with engine.connect() as conn:
        return await conn.run_sync(current) == heads
