"""Engines for the users' SQL tests: a SQLite file, or a schema of this run's PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

import astratrade.users.adapters.tables  # noqa: F401 - puts the users' tables on the metadata
from astratrade.infrastructure.db import SCHEMAS, create_engine, metadata
from astratrade.infrastructure.tokens import TokenCodec
from astratrade.shared.clock import ManualClock
from astratrade.shared.ids import sequential_ids
from astratrade.shared.messages import Envelope
from astratrade.users.adapters.passwords import Argon2Hasher
from astratrade.users.adapters.repository import SqlUsersUnitOfWork

START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


class RecordingPublisher:
    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []

    def committed(self, envelopes: list[Envelope]) -> None:
        self.envelopes.extend(envelopes)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def engine(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[AsyncEngine]:
    if request.param == "sqlite":
        sqlite = create_engine(f"sqlite:///{tmp_path / 'users.db'}")
        async with sqlite.begin() as conn:
            await conn.run_sync(metadata.create_all)
        yield sqlite
        await sqlite.dispose()
        return
    async for postgres in _postgres_in_own_schema(request.getfixturevalue("postgres_url")):
        yield postgres


async def _postgres_in_own_schema(url: str) -> AsyncIterator[AsyncEngine]:
    # A schema per test: tests (and parallel workers) never see each other's rows.
    schema = f"users_test_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(url)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    # Every table's schema (users, events, ...) is this test's own one.
    postgres = create_async_engine(
        url, execution_options={"schema_translate_map": dict.fromkeys(SCHEMAS, schema)}
    )
    try:
        async with postgres.begin() as conn:
            await conn.run_sync(metadata.create_all)
        yield postgres
    finally:
        await postgres.dispose()
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def publisher() -> RecordingPublisher:
    return RecordingPublisher()


@pytest.fixture
def ids():
    return sequential_ids("id")


@pytest.fixture
def hasher() -> Argon2Hasher:
    return Argon2Hasher(time_cost=1, memory_cost=8)


@pytest.fixture
def tokens(clock: ManualClock) -> TokenCodec:
    return TokenCodec("integration-secret-of-at-least-32-bytes", "astratrade", clock)


@pytest.fixture
def ttls() -> tuple[timedelta, timedelta]:
    return timedelta(minutes=15), timedelta(days=30)


@pytest.fixture
def new_uow(engine, publisher, clock, ids):
    return lambda: SqlUsersUnitOfWork(engine, publisher, clock, ids)
