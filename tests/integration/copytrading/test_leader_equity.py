"""A leader's equity curve on both databases: one normalized point a close in the window, in
the order they closed, (capital + cumulative P&L) / capital; the window and the 404s as
GET /leaders/{username} has them; a window other than 30 or 90 days names `days`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.copytrading.adapters.tables import blocks, closed_positions, leaders, traders
from astratrade.copytrading.views.leader_equity import EquityCurve, leader_equity
from astratrade.shared.errors import NotFound, ValidationFailed

NOW = datetime(2026, 3, 31, 12, tzinfo=UTC)
# (days ago, P&L, equity at the opening): the docs' worked example, plus one close out of
# the 90 days and one exactly 30 days ago (out of the 30-day window).
CLOSES = [
    (91, "1000", "7000"),
    (80, "500", "8000"),
    (30, "-50", "8500"),
    (20, "-200", "8500"),
    (3, "300", "8300"),
    (1, "100", "8600"),
]


async def seed(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        for user in ("lea", "max"):
            await conn.execute(
                insert(traders).values(user_id=user, username=user.title(), username_key=user)
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
        for n, (days, pnl, equity) in enumerate(CLOSES):
            at = NOW - timedelta(days=days)
            await conn.execute(
                insert(closed_positions).values(
                    position_id=f"p{n}",
                    account_id="lea-practice",
                    owner_id="lea",
                    market="ETH-USD",
                    opened_at=at - timedelta(hours=5),
                    closed_at=at,
                    realized_pnl=Decimal(pnl),
                    equity_at_open=Decimal(equity),
                    liquidated=False,
                    sequence=n,
                )
            )


def values(curve: EquityCurve) -> list[tuple[datetime, Decimal]]:
    return [(p.at, p.value) for p in curve.points]


async def test_each_close_in_the_window_is_a_point_of_normalized_growth(
    migrated_engine: AsyncEngine,
) -> None:
    await seed(migrated_engine)
    quarter = await leader_equity(migrated_engine, "viewer", "LEA", 90, NOW)
    assert quarter.username == "Lea"
    # capital 8,000 (the 80-day close's opening): 8,500 / 8,000, 8,450, 8,250, 8,550, 8,650
    assert values(quarter) == [
        (NOW - timedelta(days=80), Decimal("1.0625")),
        (NOW - timedelta(days=30), Decimal("1.05625")),
        (NOW - timedelta(days=20), Decimal("1.03125")),
        (NOW - timedelta(days=3), Decimal("1.06875")),
        (NOW - timedelta(days=1), Decimal("1.08125")),
    ]  # the last is 1 + ROI 90 days: 650 / 8,000 (the docs' example with -50 more)
    month = await leader_equity(migrated_engine, "viewer", "lea", 30, NOW)
    # capital 8,500: 8,300 / 8,500 = 0.976471, 8,600 -> 1.011765, 8,700 -> 1.023529
    assert values(month) == [
        (NOW - timedelta(days=20), Decimal("0.976471")),
        (NOW - timedelta(days=3), Decimal("1.011765")),
        (NOW - timedelta(days=1), Decimal("1.023529")),
    ]
    assert (await leader_equity(migrated_engine, "viewer", "max", 30, NOW)).points == []


async def test_the_curve_is_hidden_as_the_leader_is(migrated_engine: AsyncEngine) -> None:
    await seed(migrated_engine)
    async with migrated_engine.begin() as conn:
        await conn.execute(insert(blocks).values(blocker_id="lea", blocked_id="viewer"))
        await conn.execute(update(leaders).where(leaders.c.user_id == "max").values(active=False))
    for viewer, name in (("viewer", "lea"), ("someone", "max"), ("someone", "nobody")):
        with pytest.raises(NotFound):
            await leader_equity(migrated_engine, viewer, name, 30, NOW)
    assert len((await leader_equity(migrated_engine, "someone", "lea", 30, NOW)).points) == 3


async def test_a_window_other_than_30_or_90_days_names_days(migrated_engine: AsyncEngine) -> None:
    await seed(migrated_engine)
    for days in (0, 7, 31, 365):
        with pytest.raises(ValidationFailed) as bad:
            await leader_equity(migrated_engine, "viewer", "lea", days, NOW)
        assert bad.value.field == "days"
