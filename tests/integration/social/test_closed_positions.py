"""The closed-positions read model from trading's events: one event at a time and in
batches it comes out the same; partial closes average, a flip files the side it closed,
and a position whose fills were never seen is not shareable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.shared.messages import Envelope
from astratrade.social.adapters.tables import closed_positions, open_positions
from astratrade.social.projections import ClosedPositions

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
ids = count(1)


def fill(account: str, side: str, size: str, price: str, after: str, entry: str) -> Envelope:
    return _event(
        "OrderFilled",
        account,
        side=side,
        size=size,
        price=price,
        position_size=after,
        position_entry_price=entry,
    )


def closed(account: str) -> Envelope:
    return _event("PositionClosed", account, opened_at=T0.isoformat())


def _event(kind: str, account: str, **payload: Any) -> Envelope:
    n = next(ids)
    return Envelope(
        event_id=f"e{n:04d}",
        type=kind,
        version=1,
        context="trading",
        aggregate_id=account,
        aggregate_version=n,
        occurred_at=T0 + timedelta(minutes=n),
        payload={
            "account_id": account,
            "owner_id": f"owner-{account}",
            "market": "ETH-USD",
            **payload,
        },
    )


def history(account: str) -> list[Envelope]:
    return [
        fill(account, "buy", "2", "3000", "2", "3000"),
        fill(account, "buy", "2", "3100", "4", "3050"),
        fill(account, "sell", "1", "3200", "3", "3050"),  # partial: 1 at 3200
        fill(account, "sell", "5", "3300", "-2", "3300"),  # closes 3 at 3300, flips short
        closed(account),
        fill(account, "buy", "2", "3250", "0", "3300"),  # the short closes at 3250
        closed(account),
        fill(account, "buy", "1", "3000", "1", "3000"),  # still open
    ]


def _read(conn: Connection) -> tuple[list[Any], list[Any]]:
    done = conn.execute(select(closed_positions).order_by(closed_positions.c.closed_at)).all()
    still = conn.execute(select(open_positions).order_by(open_positions.c.account_id)).all()
    return [tuple(r)[1:] for r in done], [tuple(r)[1:] for r in still]


async def test_one_at_a_time_and_batched_agree(migrated_engine: AsyncEngine) -> None:
    projection = ClosedPositions()
    one, batched = history("one"), history("two")

    def apply(conn: Connection) -> None:
        for envelope in one:
            projection.apply(conn, envelope)
        projection.apply_all(conn, batched[:3])
        projection.apply_all(conn, batched[3:])

    async with migrated_engine.begin() as conn:
        await conn.run_sync(apply)
        done = (await conn.execute(select(closed_positions))).mappings().all()
        still = (await conn.execute(select(open_positions))).mappings().all()

    by_owner: dict[str, list[tuple[Any, ...]]] = {}
    for row in sorted(done, key=lambda r: r["closed_at"]):
        by_owner.setdefault(row["owner_id"], []).append(
            (row["side"], row["entry_price"], row["exit_price"])
        )
    long_entry = Decimal("3050")
    long_exit = Decimal("3275")  # (1 x 3200 + 3 x 3300) / 4
    assert (
        by_owner["owner-one"]
        == by_owner["owner-two"]
        == [
            ("long", long_entry, long_exit),
            ("short", Decimal("3300"), Decimal("3250")),
        ]
    )
    assert sorted((r["account_id"], r["size"]) for r in still) == [
        ("one", Decimal(1)),
        ("two", Decimal(1)),
    ]


async def test_a_close_whose_fills_were_never_seen_is_not_shareable(
    migrated_engine: AsyncEngine,
) -> None:
    projection = ClosedPositions()
    events = [
        fill("late", "sell", "2", "2900", "-1", "2900"),  # flips a long never seen: entry lost
        closed("late"),
        fill("late", "buy", "1", "2800", "0", "2900"),  # that short was seen: shareable
        closed("late"),
    ]
    async with migrated_engine.begin() as conn:
        await conn.run_sync(lambda c: projection.apply_all(c, events))
        done = (await conn.execute(select(closed_positions))).mappings().all()
    assert [(r["side"], r["entry_price"], r["exit_price"]) for r in done] == [
        ("short", Decimal("2900"), Decimal("2800"))
    ]
