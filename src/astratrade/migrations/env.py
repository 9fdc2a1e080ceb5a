"""Alembic environment: one history for every context's tables (each context's in its
PostgreSQL schema, the event backbone's in `events`; alembic_version in the default one)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

import astratrade.tables  # noqa: F401  (registers every context's tables on the metadata)
from astratrade.infrastructure.db import SCHEMALESS, metadata


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_schemas=True,  # autogenerate compares the tables in every schema
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
