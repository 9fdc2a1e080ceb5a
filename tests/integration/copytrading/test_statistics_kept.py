"""The statistics read model on SQLite, against the statistics computed from the closes
(domain/statistics.py): for any history of closes fed through the practice read model,
the row kept equals `statistics_of` at the last close, at any moment before its
`refresh_at` untouched, and at any later moment once the timed refresh has run; closes
added to the running sums in batches keep what a refresh from every close keeps."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, create_engine, delete, select

import astratrade.tables  # noqa: F401  (every table on the metadata)
from astratrade.copytrading.adapters import statistics
from astratrade.copytrading.adapters.tables import leader_statistics
from astratrade.copytrading.domain.statistics import ClosedTrade, statistics_of
from astratrade.copytrading.projections import PracticeRecords
from astratrade.infrastructure.db import SCHEMALESS, metadata
from astratrade.shared.messages import Envelope

START = datetime(2026, 1, 1, tzinfo=UTC)
RECORDS = PracticeRecords()


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    engine = create_engine("sqlite://", execution_options={"schema_translate_map": SCHEMALESS})
    with engine.begin() as conn:
        metadata.create_all(conn, tables=[*RECORDS.tables])
    yield engine
    engine.dispose()


def envelope(n: int, event_type: str, at: datetime, **payload: object) -> Envelope:
    return Envelope(
        event_id=f"e{n}",
        type=event_type,
        version=1,
        context="trading",
        aggregate_id="acc",
        aggregate_version=n,
        occurred_at=at,
        payload={"account_id": "acc", **payload},
    )


# A close: hours after the previous one, hours held, its P&L and the equity at its opening.
closes = st.lists(
    st.tuples(
        st.integers(0, 24 * 40),
        st.integers(0, 24 * 5),
        st.decimals(-5000, 5000, places=2),
        st.decimals(-100, 20000, places=2),
    ),
    max_size=25,
)


def feed(conn: Connection, history: list[tuple[int, int, Decimal, Decimal]]) -> list[ClosedTrade]:
    for table in reversed(RECORDS.tables):
        conn.execute(delete(table))
    opened = envelope(0, "AccountOpened", START, kind="practice", owner_id="u1")
    RECORDS.apply(conn, opened)
    trades, at = [], START
    for n, (gap, held, pnl, equity) in enumerate(history, start=1):
        at += timedelta(hours=gap)
        trade = ClosedTrade(at - timedelta(hours=held), at, pnl, equity)
        closed = envelope(
            n,
            "PositionClosed",
            at,
            market="ETH-USD",
            opened_at=trade.opened_at.isoformat(),
            realized_pnl=str(pnl),
            equity_at_open=str(equity),
            liquidated=False,
        )
        RECORDS.apply(conn, closed)
        trades.append(trade)
    return trades


def kept(conn: Connection) -> tuple[object, ...]:
    row = conn.execute(select(leader_statistics)).one()
    return statistics.stored(row), row.as_of, row.refresh_at


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=closes, later_hours=st.integers(0, 24 * 120))
def test_the_kept_statistics_equal_the_computed_ones_as_time_passes(
    engine: Engine, history: list[tuple[int, int, Decimal, Decimal]], later_hours: int
) -> None:
    with engine.begin() as conn:
        trades = feed(conn, history)
        last = trades[-1].closed_at if trades else START
        stats, as_of, refresh_at = kept(conn)
        assert stats == statistics_of(trades, last)
        assert as_of == (last if trades else None)

        later = last + timedelta(hours=later_hours)
        if refresh_at is None or later < refresh_at:  # nothing has left a window yet
            assert stats == statistics_of(trades, later)
        statistics.refresh_due(conn, later)
        stats, _, refresh_at = kept(conn)
        assert stats == statistics_of(trades, later)
        assert refresh_at is None or refresh_at > later


def events_of(history: list[tuple[int, int, Decimal, Decimal, int]]) -> list[Envelope]:
    """Two practice accounts and a copy account opened, then the closes, each of one of
    them (account 2's pass by), and liquidations of account 0 (account 3)."""
    opened = [
        Envelope(
            event_id=f"open-{account}",
            type="AccountOpened",
            version=1,
            context="trading",
            aggregate_id=account,
            aggregate_version=0,
            occurred_at=START,
            payload={"account_id": account, "kind": kind, "owner_id": f"u-{account}"},
        )
        for account, kind in (("a0", "practice"), ("a1", "practice"), ("a2", "copy"))
    ]
    closes, at = [], START
    for n, (gap, held, pnl, equity, account) in enumerate(history, start=1):
        at += timedelta(hours=gap)
        closed = envelope(
            n,
            "PositionClosed",
            at,
            market="ETH-USD",
            opened_at=(at - timedelta(hours=held)).isoformat(),
            realized_pnl=str(pnl),
            equity_at_open=str(equity),
            liquidated=False,
        )
        closed.payload["account_id"] = f"a{account % 3}"
        if account == 3:
            closed = replace(closed, type="AccountLiquidated")
        closes.append(closed)
    return [*opened, *closes]


def every_row(conn: Connection) -> list[list[tuple[object, ...]]]:
    return [sorted(tuple(row) for row in conn.execute(select(t))) for t in RECORDS.tables]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    history=st.lists(
        st.tuples(
            # hours apart (often within a window), or back in time (the manual clock)
            st.one_of(st.integers(0, 48), st.integers(-24 * 10, 24 * 40)),
            st.integers(0, 24 * 5),
            st.decimals(-5000, 5000, places=2),
            st.decimals(-100, 20000, places=2),
            st.integers(0, 3),
        ),
        max_size=20,
    ),
    cuts=st.lists(st.integers(1, 8), max_size=10),
)
def test_a_batch_of_closes_keeps_what_one_at_a_time_keeps(
    engine: Engine, history: list[tuple[int, int, Decimal, Decimal, int]], cuts: list[int]
) -> None:
    events = events_of(history)
    with engine.begin() as conn:
        for table in reversed(RECORDS.tables):
            conn.execute(delete(table))
        for event in events:
            RECORDS.apply(conn, event)
        one_at_a_time = every_row(conn)
        for table in reversed(RECORDS.tables):
            conn.execute(delete(table))
        start = 0
        for size in [*cuts, len(events)]:  # batches of these sizes, the rest in one
            RECORDS.apply_all(conn, events[start : start + size])
            start += size
        assert every_row(conn) == one_at_a_time
        # The sums added up close by close are the very sums taken from every close.
        for row in conn.execute(select(leader_statistics)).all():
            if row.as_of is not None:
                statistics.refresh(conn, row.account_id, row.as_of)
        assert every_row(conn) == one_at_a_time
