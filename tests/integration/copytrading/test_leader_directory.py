"""The directory on both databases: leaders leading now only, best first by each sort (the
lowest drawdown first), ties by user id, and its cursor pages walking every leader once."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.copytrading import views
from astratrade.copytrading.adapters import statistics
from astratrade.copytrading.adapters.tables import (
    blocks,
    closed_positions,
    leader_copies,
    leader_statistics,
    leaders,
    practice_accounts,
    traders,
)
from astratrade.infrastructure.db import create_engine
from astratrade.infrastructure.migrations import migrate
from astratrade.shared.errors import NotFound, ValidationFailed

NOW = datetime(2026, 3, 31, 12, tzinfo=UTC)
# user: the P&L of each close, a day apart, the last one yesterday
RESULTS = {
    "u1": ["100", "-50"],
    "u2": ["300", "-250", "10"],
    "u3": ["-20", "-20"],
    "u4": ["40"],
    "u5": [],
}
# user: copiers, allocated (in millionths), profit share earned (in millionths)
COPIES = {"u1": (2, 3_000_000_000, 0), "u2": (0, 0, 5_500_000), "u4": (2, 1_500_000_000, 0)}


async def seed(engine: AsyncEngine) -> None:
    """The leaders' closes, and their statistics kept at NOW."""
    async with engine.begin() as conn:
        for user, results in RESULTS.items():
            zero = statistics.zero_row(user, f"{user}-practice")
            await conn.execute(insert(leader_statistics).values(zero))
            await conn.execute(
                insert(traders).values(user_id=user, username=user.upper(), username_key=user)
            )
            await conn.execute(
                insert(leaders).values(
                    user_id=user,
                    account_id=f"{user}-practice",
                    profit_share=Decimal("0.1"),
                    active=True,
                    version=1,
                )
            )
            copiers, allocated, earned = COPIES.get(user, (0, 0, 0))
            await conn.execute(
                insert(leader_copies).values(
                    leader_id=user,
                    copiers=copiers,
                    allocated=allocated,
                    profit_share_earned=earned,
                )
            )
            for n, pnl in enumerate(results):
                at = NOW - timedelta(days=len(results) - n)
                await conn.execute(
                    insert(closed_positions).values(
                        position_id=f"{user}-{n}",
                        account_id=f"{user}-practice",
                        owner_id=user,
                        market="ETH-USD",
                        opened_at=at - timedelta(hours=n + 1),
                        closed_at=at,
                        realized_pnl=Decimal(pnl),
                        equity_at_open=Decimal(1000),
                        liquidated=False,
                    )
                )
        for user in RESULTS:
            await conn.run_sync(statistics.refresh, f"{user}-practice", NOW)
        await conn.execute(
            insert(traders).values(user_id="gone", username="Gone", username_key="gone")
        )
        await conn.execute(
            insert(leaders).values(
                user_id="gone",
                account_id="gone-practice",
                profit_share=Decimal(0),
                active=False,
                version=2,
            )
        )


async def walk(engine: AsyncEngine, sort: str, limit: int) -> list[str]:
    seen: list[str] = []
    cursor = None
    while True:
        page = await views.directory(engine, "viewer", sort, cursor, limit)
        seen += [v.user_id for v in page.items]
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


async def test_each_sort_best_first_and_the_pages_walk_every_leader_once(
    migrated_engine: AsyncEngine,
) -> None:
    await seed(migrated_engine)
    # ROI 7 days: u2 0.06, u1 0.05, u4 0.04, u5 0, u3 -0.04
    assert await walk(migrated_engine, "roi_7d", 2) == ["u2", "u1", "u4", "u5", "u3"]
    # drawdown: u4 and u5 never fell (0, ties by id), u3 0.04, u1 0.045455, u2 0.192308
    assert await walk(migrated_engine, "max_drawdown_30d", 1) == ["u4", "u5", "u3", "u1", "u2"]
    # win rate: u4 1, u2 0.666667, u1 0.5, u3 and u5 0
    assert await walk(migrated_engine, "win_rate", 3) == ["u4", "u2", "u1", "u3", "u5"]
    # copiers: u1 and u4 2 (ties by id), the others 0; allocated: u1 3,000, u4 1,500;
    # earned: u2 5.5
    assert await walk(migrated_engine, "copiers", 1) == ["u1", "u4", "u2", "u3", "u5"]
    assert await walk(migrated_engine, "allocated", 2) == ["u1", "u4", "u2", "u3", "u5"]
    assert await walk(migrated_engine, "profit_share_earned", 1) == ["u2", "u1", "u3", "u4", "u5"]
    top = (await views.directory(migrated_engine, "x", "allocated", None, 1)).items[0]
    assert (top.copiers, top.allocated, top.profit_share_earned) == (2, Decimal(3000), 0)
    assert "gone" not in await walk(migrated_engine, "average_hold", 10)


async def test_a_block_either_way_hides_the_leader_from_the_viewer(
    migrated_engine: AsyncEngine,
) -> None:
    await seed(migrated_engine)
    async with migrated_engine.begin() as conn:
        await conn.execute(insert(blocks).values(blocker_id="viewer", blocked_id="u1"))
        await conn.execute(insert(blocks).values(blocker_id="u2", blocked_id="viewer"))
    assert await walk(migrated_engine, "copiers", 2) == ["u4", "u3", "u5"]
    for hidden in ("U1", "u2"):
        with pytest.raises(NotFound):
            await views.leader_by_username(migrated_engine, "viewer", hidden)
    seen = await views.leader_by_username(migrated_engine, "someone", "u1")
    assert seen.user_id == "u1"


async def test_a_cursor_this_api_did_not_give_names_the_cursor(
    migrated_engine: AsyncEngine,
) -> None:
    # ["x","u1"], [1,2], ["0.0000001","u1"] (finer than the statistics' millionths),
    # ["1e30","u1"] (beyond what a statistic holds)
    made = [
        base64.urlsafe_b64encode(json.dumps([value, "u1"]).encode()).decode()
        for value in ("0.0000001", "1e30")
    ]
    for cursor in ("nonsense", "WyJ4IiwidTEiXQ", "WzEsMl0", *made):
        with pytest.raises(ValidationFailed) as bad:
            await views.directory(migrated_engine, "viewer", "roi_7d", cursor, 10)
        assert bad.value.field == "cursor"


async def test_the_migration_leaves_every_known_practice_account_due_at_once(
    empty_database_url: str,
) -> None:
    """Practice accounts known before the statistics had a table get a row each, due at
    once, so the first timed refresh computes them from their closes."""
    engine = create_engine(empty_database_url)
    try:
        await migrate(engine, "0025")
        async with engine.begin() as conn:
            await conn.execute(
                insert(practice_accounts).values(account_id="u1-practice", owner_id="u1")
            )
            await conn.execute(
                insert(closed_positions).values(
                    position_id="p1",
                    account_id="u1-practice",
                    owner_id="u1",
                    market="ETH-USD",
                    opened_at=NOW - timedelta(days=2),
                    closed_at=NOW - timedelta(days=1),
                    realized_pnl=Decimal(50),
                    equity_at_open=Decimal(1000),
                    liquidated=False,
                )
            )
        await migrate(engine)
        async with engine.begin() as conn:
            assert await conn.run_sync(statistics.refresh_due, NOW) == 1
            row = (await conn.execute(select(leader_statistics))).one()
        assert (row.user_id, statistics.stored(row).roi_7d) == ("u1", Decimal("0.05"))
        assert row.refresh_at == NOW + timedelta(days=6)
    finally:
        await engine.dispose()
