"""The account-activity read model fed whole batches equals the one fed event by event,
to the last digit. (On an in-memory SQLite database: the projection's SQL is the code
under test.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, select

from astratrade.infrastructure import projections, tracking
from astratrade.infrastructure.db import SCHEMALESS, metadata
from astratrade.shared.messages import Envelope
from astratrade.trading.adapters.tables import account_activity
from astratrade.trading.projections import AccountActivity

START = datetime(2026, 3, 2, tzinfo=UTC)
ACTIVITY = AccountActivity()

step = st.tuples(
    st.sampled_from(["OrderFilled", "FundingPaid", "AccountLiquidated"]),
    st.sampled_from(["acc-1", "acc-2", "acc-3"]),
    st.decimals(min_value=Decimal("-50"), max_value=Decimal("50"), places=3),
)


def events(steps: list[tuple[str, str, Decimal]]) -> list[Envelope]:
    log = []
    for n, (kind, account, amount) in enumerate(steps):
        payload: dict[str, Any] = {"account_id": account, "owner_id": f"owner-{account}"}
        if kind == "OrderFilled":
            payload.update(
                size="0.001", price="61000.5", fee=str(abs(amount)), realized_pnl=str(amount)
            )
        elif kind == "FundingPaid":
            payload.update(payment=str(amount))
        log.append(
            Envelope(
                event_id=f"e-{n}",
                type=kind,
                version=1,
                context="trading",
                aggregate_id=account,
                aggregate_version=n,
                occurred_at=START + timedelta(seconds=n),
                payload=payload,
            )
        )
    return log


def activity_after(log: list[Envelope], cuts: list[int] | None = None) -> list[tuple[Any, ...]]:
    """Event by event, or (`cuts`) in batches ending at those indexes."""
    engine = create_engine("sqlite://", execution_options={"schema_translate_map": SCHEMALESS})
    metadata.create_all(engine, tables=[account_activity, tracking.tracking])
    every = range(1, len(log)) if cuts is None else cuts
    with engine.begin() as conn:
        start = 0
        for end in sorted({*every, len(log)}):
            batch = [
                (e, tracking.Delivery(ACTIVITY.name, e.event_id, "s", "")) for e in log[start:end]
            ]
            projections.apply_new(conn, ACTIVITY, batch, START)
            start = end
        rows = sorted(tuple(r) for r in conn.execute(select(account_activity)))
    engine.dispose()
    return rows


@settings(max_examples=60, deadline=None)
@given(steps=st.lists(step, max_size=30), cuts=st.lists(st.integers(0, 30), max_size=6))
def test_activity_fed_whole_batches_equals_activity_fed_event_by_event(
    steps: list[tuple[str, str, Decimal]], cuts: list[int]
) -> None:
    log = events(steps)
    assert activity_after(log, cuts) == activity_after(log)
