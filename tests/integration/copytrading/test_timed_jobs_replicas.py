"""Copy trading's timed jobs with two replicas at once (PostgreSQL): each replica runs the
weekly profit share and the statistics refresh every second, so both may find the same
rows due. The rows are claimed (FOR UPDATE SKIP LOCKED): a row one replica holds is passed
over by the other, a row settled meanwhile is no longer due; every copy's week settles once
and every statistics row is refreshed, whatever the interleaving."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

import astratrade.tables  # noqa: F401  (every table on the metadata)
from astratrade.copy_accounts import market_rules
from astratrade.copytrading.adapters import statistics
from astratrade.copytrading.adapters.copy_rows import copy_row
from astratrade.copytrading.adapters.repository import SqlCopyTradingUnitOfWork
from astratrade.copytrading.adapters.tables import copies, copy_decisions, leader_statistics
from astratrade.copytrading.domain.copies import Copy
from astratrade.copytrading.domain.rules import DEFAULT_RULES
from astratrade.copytrading.handlers import settlement
from astratrade.copytrading.handlers.common import Tools
from astratrade.copytrading.ports import CopyAccountState, CopyStates
from astratrade.infrastructure.db import create_engine
from astratrade.infrastructure.migrations import migrate
from astratrade.shared.clock import ManualClock
from astratrade.shared.delivery import Delivery
from astratrade.shared.ids import new_id
from astratrade.shared.messages import Envelope
from astratrade.trading.domain.markets import DEFAULT_MARKETS

pytestmark = pytest.mark.postgres
STARTED = datetime(2026, 3, 4, 12, tzinfo=UTC)  # a Wednesday
MONDAY = datetime(2026, 3, 9, 0, 0, 1, tzinfo=UTC)
ZEROS = ("roi_7d", "roi_30d", "roi_90d", "max_drawdown_30d", "win_rate")
ZEROS += ("average_hold_seconds", "closed_positions_90d")
COPIES = 450  # more than two batches of the settlement


class Grown:
    """Every copy account holds 1,100 of its 1,000: a share of 10 % of 100 each."""

    async def states(self, account_ids: Sequence[str], market: str) -> CopyStates:
        state = CopyAccountState(Decimal(1100), Decimal(1100), Decimal(1100), Decimal(0), 20)
        return CopyStates(Decimal(60000), dict.fromkeys(account_ids, state))


class Discard:
    def committed(self, envelopes: list[Envelope]) -> None:
        return None


@pytest.fixture
async def engine(fresh_postgres_url: str) -> AsyncIterator[AsyncEngine]:
    db = create_engine(fresh_postgres_url)
    await migrate(db)
    yield db
    await db.dispose()


def a_copy(i: int) -> Copy:
    return Copy(
        f"copy-{i:04}",
        copier_id=f"u{i}",
        leader_id="ada",
        source_account_id=f"s{i}",
        copy_account_id=f"a{i}",
        leader_account_id="ada-practice",
        allocation=Decimal(1000),
        max_loss=Decimal("0.5"),
        profit_share=Decimal("0.1"),
        started_at=STARTED,
        funded=True,
    )


def tools_on(db: AsyncEngine) -> Tools:
    clock = ManualClock(MONDAY)

    def new_uow(delivery: Delivery | None = None) -> SqlCopyTradingUnitOfWork:
        return SqlCopyTradingUnitOfWork(db, Discard(), clock, new_id, delivery=delivery)

    markets = market_rules(list(DEFAULT_MARKETS))
    return Tools(new_uow, clock, DEFAULT_RULES, Grown(), markets, new_id, 1)


async def replica(tools: Tools) -> int:
    """What one replica's `settle_weeks` does, second after second, until nothing is due."""
    settled = 0
    while True:
        done = await settlement.settle_due(tools.new_uow, tools)
        settled += done
        if done == 0:
            return settled
        await asyncio.sleep(0)


async def test_two_replicas_settle_each_copys_week_once(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        rows = [{**copy_row(a_copy(i)), "profit_share_earned": 0} for i in range(COPIES)]
        await conn.execute(insert(copies), rows)
    one, two = tools_on(engine), tools_on(engine)

    settled = await asyncio.gather(replica(one), replica(two))

    assert sum(settled) == COPIES, settled  # none settled twice, none left
    d = copy_decisions.c
    async with engine.connect() as conn:
        shares = (
            await conn.execute(
                select(d.copy_id, func.count()).where(d.kind == "profit_share").group_by(d.copy_id)
            )
        ).all()
        paid = await conn.scalar(select(func.sum(copies.c.profit_share_paid)))
    assert len(shares) == COPIES
    assert {count for _, count in shares} == {1}
    assert Decimal(paid) == Decimal(10) * COPIES


async def test_a_copy_another_replica_holds_is_passed_over(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        rows = [{**copy_row(a_copy(i)), "profit_share_earned": 0} for i in range(3)]
        await conn.execute(insert(copies), rows)
    tools = tools_on(engine)
    async with engine.connect() as holder, holder.begin():
        held = select(copies.c.copy_id).where(copies.c.copy_id == "copy-0000")
        await holder.execute(held.with_for_update())
        assert await settlement.settle_due(tools.new_uow, tools) == 2  # not the one held
    assert await settlement.settle_due(tools.new_uow, tools) == 1  # released: its turn
    assert await settlement.settle_due(tools.new_uow, tools) == 0


async def test_two_replicas_refresh_the_statistics_without_waiting_on_each_other(
    engine: AsyncEngine,
) -> None:
    s = leader_statistics.c
    due_at = MONDAY - timedelta(hours=1)
    async with engine.begin() as conn:
        zeros = dict.fromkeys(ZEROS, 0)
        rows = [
            {"account_id": f"p{i}", "user_id": f"u{i}", "refresh_at": due_at, **zeros}
            for i in range(5)
        ]
        await conn.execute(insert(leader_statistics), rows)
    async with engine.connect() as one, one.begin():
        first = await one.run_sync(statistics.refresh_due, MONDAY, 3)
        async with engine.begin() as two:  # meanwhile, before the first commits
            second = await two.run_sync(statistics.refresh_due, MONDAY, 5)
    assert (first, second) == (3, 2)  # the rows the first held were passed over
    async with engine.connect() as conn:
        left = await conn.scalar(select(func.count()).where(s.refresh_at <= MONDAY))
    assert left == 0
