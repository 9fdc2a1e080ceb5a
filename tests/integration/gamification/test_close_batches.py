"""Closes handed over in a batch (the in-process dispatcher's share, one commit) leave each
trader's progress, its events and their correlation ids, and the tracking rows as closes
handled one at a time do. On SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.gamification.adapters.repository import SqlGamificationUnitOfWork
from astratrade.gamification.adapters.tables import traders
from astratrade.gamification.domain.rules import DEFAULT_RULES
from astratrade.gamification.handlers import progression
from astratrade.infrastructure import event_store, tracking
from astratrade.shared.clock import ManualClock
from astratrade.shared.delivery import Delivery
from astratrade.shared.messages import Envelope, correlation

START = datetime(2026, 3, 2, 9, tzinfo=UTC)
RULES = DEFAULT_RULES


class Published:
    """Where the units of work hand their committed events (the publisher port)."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []

    def committed(self, envelopes: list[Envelope]) -> None:
        self.envelopes.extend(envelopes)


def closes(prefix: str, seed: int = 7) -> list[Envelope]:
    """Random closes of three traders over two days: wins, losses, stops, liquidations."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    log = []
    for n in range(40):
        at = START + timedelta(minutes=70 * n)
        risk = rng.choice([None, "10.5", "400"])
        log.append(
            Envelope(
                event_id=f"{prefix}-close-{n}",
                type="PositionClosed",
                version=1,
                context="trading",
                aggregate_id=f"{prefix}-acc",
                aggregate_version=n,
                occurred_at=at,
                payload={
                    "account_id": f"{prefix}-acc-{n % 3}",
                    "owner_id": f"{prefix}-user-{n % 3}",
                    "account_kind": "practice",
                    "market": rng.choice(["BTC-USD", "ETH-USD", "SOL-USD"]),
                    "opened_at": (at - timedelta(minutes=5)).isoformat(),
                    "realized_pnl": str(rng.randint(-300, 300)),
                    "liquidated": rng.random() < 0.1,
                    "risk_at_stop": risk,
                    "unprotected_seconds": str(rng.choice([0, 5, 600])),
                    "equity_at_open": "10000",
                },
                correlation_id=f"request-{n}",
            )
        )
    return log


def facts(envelopes: list[Envelope]) -> list[tuple[Envelope, Any]]:
    found = [(e, progression.closed_position(e, RULES)) for e in envelopes]
    return [(e, close) for e, close in found if close is not None]


def unit(engine: AsyncEngine, published: Published, **delivered: Any) -> SqlGamificationUnitOfWork:
    return SqlGamificationUnitOfWork(engine, published, ManualClock(START), **delivered)


async def state_of(engine: AsyncEngine, prefix: str, published: Published) -> Any:
    async with engine.connect() as conn:
        rows = (
            await conn.execute(select(traders).where(traders.c.user_id.like(f"{prefix}-%")))
        ).mappings()
        progress = sorted(tuple((k, v) for k, v in row.items() if k != "user_id") for row in rows)
        logged = await event_store.history(conn, f"progression-{prefix}-user-0")
    tracked = await tracking.applied_among(
        engine, "gamification", [f"{prefix}-close-{n}" for n in range(40)]
    )
    events = [
        repr((e.type, e.aggregate_id, e.aggregate_version, e.correlation_id, e.payload)).replace(
            prefix, ""
        )
        for e in published.envelopes
    ]
    return progress, {t.replace(prefix, "") for t in tracked}, events, len(logged)


async def test_closes_in_batches_end_as_closes_one_at_a_time(migrated_engine: AsyncEngine) -> None:
    one_by_one, batched = Published(), Published()
    for envelope, close in facts(closes("first-run")):
        delivery = Delivery("gamification", envelope.event_id)
        user = str(envelope.payload["owner_id"])
        request = correlation.set(envelope.correlation_id)  # as `delivery.deliver` does
        try:
            await progression.record_close(
                user, close, unit(migrated_engine, one_by_one, delivery=delivery), RULES
            )
        finally:
            correlation.reset(request)
    log = facts(closes("batch-run"))
    for start, end in ((0, 1), (1, 13), (13, len(log))):
        part = log[start:end]
        deliveries = [Delivery("gamification", e.event_id) for e, _ in part]
        await progression.record_closes(
            part, unit(migrated_engine, batched, deliveries=deliveries), RULES
        )
        assert all(d.recorded for d in deliveries)

    expected = await state_of(migrated_engine, "first-run", one_by_one)
    assert expected[2], "the closes earned XP: there are events to compare"
    assert await state_of(migrated_engine, "batch-run", batched) == expected
