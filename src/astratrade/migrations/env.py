"""Alembic environment: one history for every context's tables."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

import astratrade.tables  # noqa: F401  (registers every context's tables on the metadata)
from astratrade.infrastructure.db import metadata


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection)
else:  # the alembic command line: a synchronous URL such as sqlite:///var/dev.db
    url = context.config.get_main_option("sqlalchemy.url") or "sqlite:///var/astratrade.db"
    with create_engine(url).connect() as conn:
        run(conn)
        conn.commit()
