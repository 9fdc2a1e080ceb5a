"""Leading on a whole platform (SQLite and PostgreSQL), from real trades: a new trader is
refused with every condition named; twenty closes on one day (level 3 by their XP) make
one eligible; a liquidation refuses them for seven days; the read models behind it rebuild
from the audit log to the same rows; stopping takes the leader out of the directory; the
blocks between traders follow social's events."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from trading_platform import market_order, new_trader, round_trip, set_mark

from astratrade.copytrading import views
from astratrade.copytrading.adapters.tables import (
    blocks,
    closed_positions,
    leader_statistics,
    levels,
    practice_accounts,
)
from astratrade.copytrading.domain.commands import OptInAsLeader, StopLeading
from astratrade.copytrading.domain.errors import NotEligible
from astratrade.copytrading.domain.statistics import fraction
from astratrade.copytrading.projections import PROJECTIONS
from astratrade.infrastructure import event_store
from astratrade.infrastructure.projections import rebuild
from astratrade.platform import Platform
from astratrade.shared.errors import NotFound, ValidationFailed
from astratrade.social.adapters.tables import posts as social_posts
from astratrade.social.domain.commands import BlockUser, UnblockUser
from astratrade.trading.domain.orders import Side


async def refusal(platform: Platform, user_id: str) -> list[str]:
    with pytest.raises(NotEligible) as refused:
        await platform.bus.execute(OptInAsLeader(user_id=user_id))
    return refused.value.failures


async def twenty_closes(platform: Platform, owner: str, account: str) -> None:
    """Ten wins and ten losses of 1 ETH: 500 XP on the day, level 3."""
    for n in range(20):
        await round_trip(platform, owner, account, "3030" if n % 2 == 0 else "2970")


async def position_closes(platform: Platform, account: str) -> list[dict[str, Any]]:
    """Trading's PositionClosed events of the account, from the audit log."""
    async with platform.read_db.connect() as conn:
        logged = await event_store.history(conn, account)
    return [e.payload for e in logged if e.type == "PositionClosed"]


async def read_models(platform: Platform) -> list[list[Any]]:
    async with platform.read_db.connect() as conn:
        return [
            [tuple(r) for r in await conn.execute(select(t).order_by(*t.primary_key))]
            for t in (levels, practice_accounts, closed_positions, leader_statistics)
        ]


async def test_a_new_trader_is_refused_naming_each_condition(platform: Platform) -> None:
    owner, _ = await new_trader(platform, "newbie")
    assert await refusal(platform, owner) == [
        "level is 1, at least 3 is needed",
        "0 closed positions, at least 20 are needed",
    ]
    with pytest.raises(ValidationFailed) as bad:
        await platform.bus.execute(OptInAsLeader(user_id=owner, profit_share=Decimal("0.21")))
    assert bad.value.field == "profit_share"
    with pytest.raises(NotFound):
        await platform.bus.execute(StopLeading(user_id=owner))


async def test_twenty_closes_at_level_three_lead_and_a_liquidation_waits_seven_days(
    platform: Platform,
) -> None:
    owner, account = await new_trader(platform, "lea")
    await twenty_closes(platform, owner, account)
    await round_trip(platform, owner, account, "3000")  # the 21st: no XP, still counted

    before = await read_models(platform)
    for projection in PROJECTIONS:
        await rebuild(platform.read_db, platform.writer, projection, platform.clock.now())
    assert await read_models(platform) == before

    await platform.bus.execute(OptInAsLeader(user_id=owner, profit_share=Decimal("0.15")))
    leader = await views.leader_by_username(platform.read_db, "x", "LEA")
    assert (leader.user_id, leader.profit_share, leader.copiers) == (owner, Decimal("0.15"), 0)
    stats = leader.statistics
    assert stats.closed_positions_90d == 21
    assert stats.win_rate == Decimal("0.476190")  # 10 of 21 (the 21st, at its entry, lost)
    assert stats.roi_7d == stats.roi_30d == stats.roi_90d
    closes = await position_closes(platform, account)
    pnl = sum((Decimal(c["realized_pnl"]) for c in closes), Decimal(0))
    assert stats.roi_90d == fraction(pnl / Decimal(closes[0]["equity_at_open"]))
    assert stats.max_drawdown_30d > 0

    await platform.bus.execute(StopLeading(user_id=owner))
    page = await views.directory(platform.read_db, "x", "roi_7d", None, 20)
    assert page.items == []

    # 15 ETH at 3000 (5x) on about 10,000: a fall to 2000 liquidates the account.
    await set_mark(platform, "ETH-USD", "3000")
    await platform.bus.execute(market_order(owner, account, "15", Side.BUY, "ETH-USD"))
    await set_mark(platform, "ETH-USD", "2000")
    await platform.backbone.drain()
    [failure] = await refusal(platform, owner)
    assert failure.startswith("liquidated at ")
    assert failure.endswith("within the last 7 days")

    platform.clock.advance(timedelta(days=7).total_seconds())  # type: ignore[attr-defined]
    await platform.bus.execute(OptInAsLeader(user_id=owner))
    again = await views.leader_by_id(platform.read_db, owner)
    assert again.profit_share == Decimal("0.10")

    async with platform.read_db.connect() as conn:
        logged = await event_store.history(conn, f"copytrading-leader-{owner}")
    assert [(e.type, e.payload["leader_id"]) for e in logged] == [
        ("LeaderOptedIn", owner),
        ("LeaderStopped", owner),
        ("LeaderOptedIn", owner),
    ]
    assert logged[0].payload["account_id"] == account
    await platform.backbone.drain()
    async with platform.read_db.connect() as conn:  # social's automatic item, each opt-in
        items = await conn.execute(
            select(social_posts.c.text).where(
                social_posts.c.author_id == owner, social_posts.c.kind == "leading"
            )
        )
    assert [text for (text,) in items] == ["Started leading copy trading"] * 2


async def test_blocks_follow_social_and_rebuild_to_the_same_rows(platform: Platform) -> None:
    ann, _ = await new_trader(platform, "ann")
    bob, _ = await new_trader(platform, "bob")
    cat, _ = await new_trader(platform, "cat")
    for command in (
        BlockUser(user_id=ann, username="bob"),
        UnblockUser(user_id=ann, username="bob"),
        BlockUser(user_id=ann, username="bob"),  # again, after unblocking
        BlockUser(user_id=cat, username="ann"),
        UnblockUser(user_id=cat, username="ann"),
    ):
        await platform.bus.execute(command)
    await platform.backbone.drain()

    async def pairs() -> list[tuple[str, str]]:
        async with platform.read_db.connect() as conn:
            return [(r.blocker_id, r.blocked_id) for r in await conn.execute(select(blocks))]

    assert await pairs() == [(ann, bob)]
    [projection] = [p for p in PROJECTIONS if p.name == "copytrading.blocks"]
    await rebuild(platform.read_db, platform.writer, projection, platform.clock.now())
    assert await pairs() == [(ann, bob)]


async def test_the_statistics_follow_the_windows_as_days_pass(platform: Platform) -> None:
    owner, account = await new_trader(platform, "win")
    await twenty_closes(platform, owner, account)
    await round_trip(platform, owner, account, "3300")  # a win of about 300
    await platform.bus.execute(OptInAsLeader(user_id=owner))
    fresh = (await views.leader_by_id(platform.read_db, owner)).statistics
    assert fresh.roi_7d == fresh.roi_30d > 0

    async def a_day_passes(days: int) -> Any:
        platform.clock.advance(timedelta(days=days).total_seconds())  # type: ignore[attr-defined]
        await platform.on_time()  # the platform's timed jobs, as each second runs them
        return (await views.leader_by_id(platform.read_db, owner)).statistics

    week = await a_day_passes(6)
    assert week == fresh  # every close is still within each window
    week = await a_day_passes(1)  # the closes are 7 days old: out of the week's window
    assert (week.roi_7d, week.roi_30d, week.closed_positions_90d) == (0, fresh.roi_30d, 21)
    page = await views.directory(platform.read_db, "x", "roi_7d", None, 20)
    assert [v.statistics.roi_7d for v in page.items] == [0]
    quarter = await a_day_passes(23)  # 30 days: out of the month's too, the drawdown's
    assert (quarter.roi_30d, quarter.max_drawdown_30d, quarter.roi_90d) == (0, 0, fresh.roi_90d)
    gone = await a_day_passes(60)
    assert (gone.roi_90d, gone.win_rate, gone.closed_positions_90d) == (0, 0, 0)
