"""Alembic environment: one history for every context's tables (each context's in its
PostgreSQL schema, the event backbone's in `events`; alembic_version in the default one)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import BLANK_SCHEMA, Connection, MetaData, create_engine

import astratrade.tables  # noqa: F401  (registers every context's tables on the metadata)
from astratrade.infrastructure.db import SCHEMALESS, metadata


def schemaless(declared: MetaData) -> MetaData:
    """The tables without their schemas, as SQLite holds them: autogenerate compares the
    metadata with what it reflects, and the engines' schema translation plays no part."""
    copy = MetaData(naming_convention=declared.naming_convention)
    for table in declared.sorted_tables:
        # None (no schema) is what works for the table at runtime, BLANK_SCHEMA for what
        # its foreign keys refer to; the stubs allow neither.
        table.to_metadata(
            copy,
            schema=None,  # type: ignore[arg-type]
            referred_schema_fn=lambda *_: BLANK_SCHEMA,  # type: ignore[arg-type]
        )
    return copy


def run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=schemaless(metadata) if sqlite else metadata,
        render_as_batch=sqlite,
        compare_type=True,
        include_schemas=not sqlite,  # autogenerate compares the tables in every schema
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection)
else:  # the alembic command line: a synchronous URL such as sqlite:///var/dev.db
    url = context.config.get_main_option("sqlalchemy.url") or "sqlite:///var/astratrade.db"
    sqlite = url.startswith("sqlite")
    engine = create_engine(
        url, execution_options={"schema_translate_map": SCHEMALESS} if sqlite else {}
    )
    with engine.connect() as conn:
        run(conn)
        conn.commit()
