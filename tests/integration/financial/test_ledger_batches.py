"""The ledger and transfers read models come out the same whether the in-process dispatcher
hands them events in batches (any cut, redeliveries included, bad events among them) or
they are applied one event at a time, as before batches (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.financial.adapters.tables import accounts, entries, postings, transfers
from astratrade.financial.domain.ledger import HOUSE
from astratrade.financial.projections import LEDGER, TRANSFERS
from astratrade.infrastructure import projections
from astratrade.infrastructure.event_store import outbox
from astratrade.infrastructure.in_process_bus import InProcessDispatcher
from astratrade.infrastructure.tracking import tracking
from astratrade.infrastructure.writer import Writer, writer_for
from astratrade.shared.bus import MessageBus
from astratrade.shared.clock import ManualClock
from astratrade.shared.delivery import Delivery
from astratrade.shared.messages import Envelope

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)
PROJECTIONS = (LEDGER, TRANSFERS)
account = st.sampled_from(["acct-1", "acct-2"])
transfer = st.sampled_from(["t-1", "t-2", "t-3"])
amount = st.decimals(min_value=0, max_value=1000, places=2).map(str)
signed = st.decimals(min_value=-1000, max_value=1000, places=2).map(str)
Fact = tuple[str, dict[str, Any]]


def fact_of(event_type: str, **fields: st.SearchStrategy[Any]) -> st.SearchStrategy[Fact]:
    return st.tuples(st.just(event_type), st.fixed_dictionaries(fields))


def covered(fact: Fact) -> Fact:
    """A shortfall's amount is what the fund and the house put in."""
    event_type, payload = fact
    total = Decimal(payload["from_insurance"]) + Decimal(payload["from_house"])
    return event_type, {**payload, "amount": str(total)}


fact = st.one_of(
    # A second opening of an account fails on its key: a bad event, as is a garbled fill.
    fact_of("AccountOpened", account_id=account, owner_id=st.just("u"), kind=st.just("x")),
    fact_of("OrderFilled", account_id=account, realized_pnl=st.just("?"), fee=amount),
    fact_of(
        "CollateralDeposited",
        account_id=account,
        amount=amount,
        source=st.just(HOUSE),
        reason=st.just("deposit"),
        transfer_id=transfer | st.none(),
    ),
    fact_of(
        "CollateralWithdrawn",
        account_id=account,
        amount=amount,
        destination=st.just(HOUSE),
        transfer_id=transfer,
    ),
    fact_of("OrderFilled", account_id=account, realized_pnl=signed, fee=amount),
    fact_of("FundingPaid", account_id=account, payment=signed),
    fact_of("AccountLiquidated", account_id=account, liquidation_fee=amount),
    fact_of("ShortfallCovered", account_id=account, from_insurance=amount, from_house=amount).map(
        covered
    ),
    fact_of(
        "TransferRequested",
        transfer_id=transfer,
        account_id=account,
        kind=st.just("deposit"),
        amount=amount,
        requested=amount,
    ),
    fact_of("TransferRefused", transfer_id=transfer, account_id=account, reason=st.just("no")),
)


def log_of(facts: list[Fact]) -> list[Envelope]:
    opened = [
        ("AccountOpened", {"account_id": a, "owner_id": "u", "kind": "practice"})
        for a in ("acct-1", "acct-2")
    ]
    return [
        Envelope(
            event_id=f"e-{n}",
            type=kind,
            version=1,
            context="trading",
            aggregate_id=str(payload["account_id"]),
            aggregate_version=n,
            occurred_at=AT,
            payload=payload,
        )
        for n, (kind, payload) in enumerate(opened + facts)
    ]


def sent_with_redeliveries(log: list[Envelope], again: list[tuple[int, int]]) -> list[Envelope]:
    """Each (i, gap): event i sent once more, `gap` events after its first sending."""
    sent = list(log)
    for i, gap in again:
        if i < len(log):
            sent.insert(min(sent.index(log[i]) + 1 + gap, len(sent)), log[i])
    return sent


@pytest.fixture
async def writer(migrated_engine: AsyncEngine, database_url: str) -> AsyncIterator[Writer]:
    writer = writer_for(database_url, migrated_engine)
    yield writer
    await writer.close()


async def one_by_one(writer: Writer, sent: list[Envelope]) -> None:
    """How each event reached each projection before batches: a transaction each."""
    for envelope in sent:
        for projection in PROJECTIONS:
            if envelope.type not in projection.event_types:
                continue
            delivery = Delivery(projection.name, envelope.event_id)
            try:
                await projections.apply_once(writer, projection, envelope, delivery, AT)
            except Exception:  # noqa: S112 (a bad event fails alone; the others go on)
                continue


async def in_batches(
    engine: AsyncEngine, writer: Writer, sent: list[Envelope], sizes: list[int]
) -> None:
    bus = MessageBus()
    for projection in PROJECTIONS:
        projections.subscribe(bus, projection, writer, ManualClock(AT))
    dispatcher = InProcessDispatcher(bus, engine, writer, ManualClock(AT))
    await dispatcher.start()
    start, n = 0, 0
    while start < len(sent):
        size = sizes[n % len(sizes)]
        dispatcher.committed(sent[start : start + size])  # queued at once: one batch
        await dispatcher.drain()
        start, n = start + size, n + 1
    await dispatcher.stop()


async def read_models(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    async with engine.connect() as conn:

        async def rows(query: Any) -> list[tuple[Any, ...]]:
            return sorted((tuple(row) for row in await conn.execute(query)), key=repr)

        return {
            "accounts": await rows(select(accounts)),
            "entries": await rows(select(entries)),
            "postings": await rows(
                select(postings.c.entry_id, postings.c.account, postings.c.amount_micros)
            ),
            "balances": await rows(
                select(postings.c.account, func.sum(postings.c.amount_micros)).group_by(
                    postings.c.account
                )
            ),
            "transfers": await rows(select(transfers)),
            "tracking": await rows(select(tracking.c.consumer, tracking.c.event_id)),
        }


async def cleared(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        for table in (postings, entries, accounts, transfers, tracking, outbox):
            await conn.execute(delete(table))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    facts=st.lists(fact, max_size=40),
    again=st.lists(st.tuples(st.integers(0, 41), st.integers(0, 10)), max_size=6),
    sizes=st.lists(st.integers(1, 48), min_size=1, max_size=5),
)
async def test_batches_give_the_read_models_of_one_event_at_a_time(
    migrated_engine: AsyncEngine,
    writer: Writer,
    facts: list[Fact],
    again: list[tuple[int, int]],
    sizes: list[int],
) -> None:
    sent = sent_with_redeliveries(log_of(facts), again)
    await cleared(migrated_engine)
    await one_by_one(writer, sent)
    expected = await read_models(migrated_engine)
    await cleared(migrated_engine)

    await in_batches(migrated_engine, writer, sent, sizes)

    assert await read_models(migrated_engine) == expected
