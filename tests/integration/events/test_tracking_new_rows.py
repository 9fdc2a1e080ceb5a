"""`tracking.record_new` (SQLite's lookup and insert of tracking rows in one statement):
whatever was recorded before and whatever a batch repeats, it writes each pair once and
answers exactly the pairs that had no row, the events still to apply."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine, delete, select

from astratrade.infrastructure import tracking
from astratrade.infrastructure.db import SCHEMALESS, metadata
from astratrade.shared.delivery import Delivery

AT = datetime(2026, 12, 7, 23, 59, 59, 123456, tzinfo=UTC)


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    engine = create_engine("sqlite://", execution_options={"schema_translate_map": SCHEMALESS})
    with engine.begin() as conn:
        metadata.create_all(conn, tables=[tracking.tracking])
    yield engine
    engine.dispose()


def delivery(consumer: int, event: int) -> Delivery:
    return Delivery(*named(consumer, event), "trading", f"{event}-0")


pairs = st.tuples(st.integers(0, 3), st.integers(0, 80))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    before=st.lists(pairs, max_size=60),
    batch=st.lists(pairs, max_size=90),  # past NEW_ROWS_AT_ONCE: several statements
)
def test_new_pairs_are_written_once_and_answered(
    engine: Engine, before: list[tuple[int, int]], batch: list[tuple[int, int]]
) -> None:
    earlier = AT - timedelta(days=1)
    with engine.begin() as conn:
        conn.execute(delete(tracking.tracking))
        tracking.record_new(conn, [delivery(*pair) for pair in before], earlier)

        answered = tracking.record_new(conn, [delivery(*pair) for pair in batch], AT)

        fresh = set(batch) - set(before)
        assert answered == {named(*pair) for pair in fresh}
        t = tracking.tracking.c
        stored = conn.execute(select(t.consumer, t.event_id, t.applied_at)).all()
        assert len(stored) == len(set(before) | set(batch))  # each pair once
        for consumer, event_id, applied_at in stored:
            assert applied_at == (AT if (consumer, event_id) in answered else earlier)


def named(consumer: int, event: int) -> tuple[str, str]:
    return f"consumer-{consumer}", f"event-{event:04d}"


def test_a_delivery_keeps_its_stream_and_message_id(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(delete(tracking.tracking))
        tracking.record_new(conn, [delivery(1, 7)], AT)
        t = tracking.tracking.c
        row = conn.execute(select(t.stream, t.message_id)).one()
    assert tuple(row) == ("trading", "7-0")
