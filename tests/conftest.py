"""Shared fixtures: each test run gets its own PostgreSQL database, created and dropped here.

PostgreSQL comes from ASTRATRADE_TEST_POSTGRES_URL (default: the local server, database
`test`, used only to create and drop ours). Where it is missing, PostgreSQL tests skip with
the reason — except with CI=true, where a missing service is a failure."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg
import pytest
import redis.asyncio
import redis.exceptions
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.infrastructure.db import async_url, create_engine
from astratrade.infrastructure.migrations import migrate
from support.databases import migrate_to_head, migrated_sqlite

REDIS_URL = os.environ.get("ASTRATRADE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ADMIN_URL = os.environ.get(
    "ASTRATRADE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
ON_CI = os.environ.get("CI") == "true"


def _unavailable(reason: str) -> None:
    if ON_CI:
        pytest.fail(f"PostgreSQL is required on CI: {reason}")
    pytest.skip(f"PostgreSQL unavailable: {reason}")


def _admin(statement: str) -> None:
    """Run a statement on the admin database, on a thread of its own: fixtures may be set
    up from inside a running event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, _admin_async(statement)).result()


async def _admin_async(statement: str) -> None:
    dsn = make_url(ADMIN_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn, timeout=5)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def postgres_run_prefix() -> str:
    return f"astratrade_test_{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def postgres_url(postgres_run_prefix: str) -> Iterator[str]:
    """This run's own database (one per xdist worker), dropped when the run ends."""
    yield _create_database(postgres_run_prefix)
    _admin(f'DROP DATABASE IF EXISTS "{postgres_run_prefix}" WITH (FORCE)')


def _create_database(name: str, template: str | None = None) -> str:
    """Create a database, empty or a copy of `template`; its URL."""
    copied = "" if template is None else f' TEMPLATE "{template}"'
    try:
        _admin(f'CREATE DATABASE "{name}"{copied}')
    except (OSError, asyncpg.PostgresError) as error:
        _unavailable(f"{type(error).__name__}: {error}")
    return async_url(make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False))


def _empty_database(postgres_run_prefix: str, template: str | None = None) -> Iterator[str]:
    """A database of its own, empty or a copy of `template`, dropped after use."""
    name = f"{postgres_run_prefix}_{uuid.uuid4().hex[:8]}"
    yield _create_database(name, template)
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_template(postgres_run_prefix: str) -> Iterator[str]:
    """A database at the migrations' head, made once per worker, that a test's database is
    copied from: a copy takes ~0.1 s where migrating an empty one takes ~0.7 s."""
    name = f"{postgres_run_prefix}_head"
    migrate_to_head(_create_database(name))
    yield name
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def fresh_postgres_url(postgres_run_prefix: str) -> Iterator[str]:
    """An empty database for one test (for tests that run the whole platform)."""
    yield from _empty_database(postgres_run_prefix)


@pytest.fixture(scope="module")
def module_postgres_url(postgres_run_prefix: str, postgres_template: str) -> Iterator[str]:
    """A database at the migrations' head for one test module (for a server the module's
    tests share)."""
    yield from _empty_database(postgres_run_prefix, postgres_template)


BOTH_DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BOTH_DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The same test on an SQLite file and a PostgreSQL database of its own, both at the
    migrations' head (copies of the worker's templates)."""
    if request.param == "sqlite":
        path = tmp_path / "astratrade.db"
        shutil.copyfile(migrated_sqlite(), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    template = request.getfixturevalue("postgres_template")
    prefix = request.getfixturevalue("postgres_run_prefix")
    yield from _empty_database(prefix, template)


@pytest.fixture(params=BOTH_DATABASES)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on an empty SQLite file and an empty PostgreSQL database (for tests of
    the migrations themselves)."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/astratrade.db"
    url: str = request.getfixturevalue("fresh_postgres_url")
    return url


@pytest.fixture
async def migrated_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    await migrate(engine)
    yield engine
    await engine.dispose()


def _redis_call(command: str, *args: str) -> object:
    """A blocking call on a throwaway client (fixtures may run inside an event loop)."""

    async def call() -> object:
        client = redis.asyncio.Redis.from_url(REDIS_URL, decode_responses=True)
        try:
            return await client.execute_command(command, *args)
        finally:
            await client.aclose()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, call()).result()


@pytest.fixture(scope="session")
def redis_run_prefix() -> Iterator[str]:
    """This run's own key prefix on the shared Redis; its keys are deleted at the end."""
    try:
        _redis_call("PING")
    except (OSError, redis.exceptions.RedisError) as error:
        if ON_CI:
            pytest.fail(f"Redis is required on CI: {type(error).__name__}: {error}")
        pytest.skip(f"Redis unavailable: {error}")
    prefix = f"test-{uuid.uuid4().hex[:10]}:"
    yield prefix
    cursor = "0"
    while True:
        cursor, keys = _redis_call("SCAN", cursor, "MATCH", f"{prefix}*", "COUNT", "1000")
        if keys:
            _redis_call("DEL", *keys)
        if int(cursor) == 0:  # redis-py hands the cursor back as an int
            break


@pytest.fixture
def redis_prefix(redis_run_prefix: str) -> str:
    """A prefix of its own for one test, inside the run's prefix."""
    return f"{redis_run_prefix}{uuid.uuid4().hex[:6]}:"


@pytest.fixture(scope="session")
def redis_url(redis_run_prefix: str) -> str:
    """The Redis to test against (requesting it checks that it answers)."""
    return REDIS_URL


# The longest files first, measured (`--durations`): xdist hands out whole files in
# collection order (`--dist loadfile --no-loadscope-reorder`), and a long one picked up
# last keeps the run going while the other worker sits idle.
LONGEST_FIRST = (
    "tests/e2e/test_schemathesis.py",
    "tests/e2e/test_distributed_copytrading.py",
    "tests/e2e/test_trading_failover.py",
    "tests/e2e/test_distributed_social.py",
    "tests/e2e/test_realtime_service.py",
    "tests/e2e/test_distributed_journey.py",
    "tests/e2e/test_ledger_worker_restart.py",
    "tests/e2e/test_copies.py",
    "tests/fault/test_kill_nine.py",
    "tests/e2e/test_load_harness.py",
    "tests/e2e/test_authorization_matrix.py",
    "tests/browser/test_web_social.py",
    "tests/browser/test_web_mint_queue.py",
    "tests/browser/test_web_copy_leaders.py",
    "tests/e2e/test_websocket_fanout.py",
    "tests/e2e/test_live_gate.py",
    "tests/e2e/test_crash_recovery.py",
    "tests/fault/test_shard_takeover.py",
    "tests/e2e/test_tournaments.py",
    "tests/integration/social/test_feed_walk.py",
    "tests/integration/trading/test_gateway_shard_routing.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {path: place for place, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.partition("::")[0], len(rank)))
