"""The relay's and consumers' queries stay cheap as the tables grow, on both databases; and a
relay in a worker process of its own finds new outbox rows by polling."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.bootstrap import bootstrap
from astratrade.config import Settings
from astratrade.infrastructure import event_store
from astratrade.infrastructure.db import create_engine
from astratrade.infrastructure.event_store import outbox
from astratrade.infrastructure.redis_backbone import RedisBackbone

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def fill_outbox(engine: AsyncEngine, published: int, unpublished: int) -> None:
    rows = [
        {
            "event_id": f"e-{n}",
            "context": "bench",
            "envelope": {"n": n},
            "created_at": NOW,
            "published_at": NOW if n < published else None,
        }
        for n in range(published + unpublished)
    ]
    async with engine.begin() as conn:
        await conn.execute(insert(outbox), rows)


async def plan_of(engine: AsyncEngine, statement: str) -> str:
    """The plan of `statement`, raw SQL naming the table `{outbox}` (schema-qualified on
    PostgreSQL; SQLite has no schemas, and raw SQL is not translated)."""
    sqlite = engine.dialect.name == "sqlite"
    statement = statement.format(outbox="outbox" if sqlite else "events.outbox")
    async with engine.connect() as conn:
        if sqlite:
            rows = await conn.execute(text(f"EXPLAIN QUERY PLAN {statement}"))
            return " ".join(str(row[-1]) for row in rows)
        await conn.execute(text("ANALYZE events.outbox"))
        rows = await conn.execute(text(f"EXPLAIN {statement}"))
        return " ".join(str(row[0]) for row in rows)


async def test_the_next_batch_is_read_off_the_unpublished_index(
    migrated_engine: AsyncEngine,
) -> None:
    await fill_outbox(migrated_engine, published=3_000, unpublished=600)
    plan = await plan_of(
        migrated_engine,
        "SELECT event_id FROM {outbox} WHERE published_at IS NULL ORDER BY id LIMIT 500",
    )
    assert "Sort" not in plan  # read in order, not sorted
    assert "TEMP B-TREE" not in plan
    if migrated_engine.dialect.name == "postgresql":  # SQLite's keeps NULLs in rowid order
        assert "ix_outbox_unpublished" in plan
    async with migrated_engine.connect() as conn:
        batch = await event_store.unpublished_entries(conn, limit=500)
    assert [e.event_id for e in batch] == [f"e-{n}" for n in range(3_000, 3_500)]


@pytest.fixture
async def postgres_engine(fresh_postgres_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(fresh_postgres_url)
    yield engine
    await engine.dispose()


@pytest.mark.postgres
async def test_postgres_plans_each_statement_for_its_parameters(
    postgres_engine: AsyncEngine,
) -> None:
    async with postgres_engine.connect() as conn:
        assert await conn.scalar(text("SHOW plan_cache_mode")) == "force_custom_plan"


@pytest.mark.postgres
async def test_published_marks_commit_without_waiting_for_the_disk(
    postgres_engine: AsyncEngine,
) -> None:
    async with postgres_engine.begin() as conn:
        await conn.run_sync(event_store.without_waiting_for_disk)
        assert await conn.scalar(text("SHOW synchronous_commit")) == "off"
    async with postgres_engine.connect() as conn:  # only that transaction
        assert await conn.scalar(text("SHOW synchronous_commit")) == "on"


@pytest.mark.redis
async def test_a_worker_relay_finds_rows_another_process_committed(
    database_url: str, redis_url: str, redis_prefix: str
) -> None:
    settings = Settings(
        database_url=database_url,
        redis_url=redis_url,
        redis_prefix=redis_prefix,
        event_workers="external",
        price_feed="manual",
        clock="manual",
        jwt_secret="x" * 32,
    )
    worker = bootstrap(settings)
    backbone = worker.backbone
    assert isinstance(backbone, RedisBackbone)
    assert backbone.relay.idle_poll_seconds == 0.01  # ASTRATRADE_RELAY_POLL_MS
    await worker.start()
    stop = asyncio.Event()
    relaying = asyncio.create_task(backbone.relay.run(stop))
    try:
        await asyncio.sleep(0.1)  # idle: nothing to send
        # Committed behind the relay's back, as the serving process's commits are.
        await fill_outbox(worker.db, published=0, unpublished=3)
        async with asyncio.timeout(2):
            while backbone.relay.published < 3:  # noqa: ASYNC110 - the count is the signal
                await asyncio.sleep(0.01)
    finally:
        stop.set()
        await relaying
        await worker.stop()
