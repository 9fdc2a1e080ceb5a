"""The `copy:<id>` channel's decision is the history's line: for every kind, the line made
from the committed event's payload (what the hub sees) equals the line the writer stores
from the recorded event, id included; events of no line make none."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from astratrade.copytrading.adapters.copy_rows import complete, history_line, line_id
from astratrade.copytrading.domain import events as e
from astratrade.copytrading.handlers.following import trading_note
from astratrade.copytrading.views.copies import decision_view
from astratrade.copytrading.views.live import decision_of
from astratrade.shared.messages import Envelope

AT = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
COPY = {"copy_id": "c1", "copier_id": "ben", "leader_id": "ada", "copy_account_id": "a9"}
FILL = {"leader_fill_id": "f1", "market": "BTC-USD", "leader_size": Decimal("0.50")}
EVENTS = [
    e.LeaderFillCopied(
        **COPY,
        **FILL,
        decision_id="d1",
        leader_price=Decimal("60000.5"),
        action="open",
        side="buy",
        size=Decimal("0.00416"),
        leverage=Decimal(10),
        reduce_only=False,
    ),
    e.LeaderFillSkipped(
        **COPY,
        **FILL,
        leader_price=Decimal(60000),
        reason="below_min_size",
        detail="0.00004 is below 0.0001",
    ),
    e.CopyPositionClosed(
        **COPY,
        decision_id="d2",
        leader_fill_id=None,
        market="ETH-USD",
        side="sell",
        size=Decimal("1.5"),
        reason="copy_stopped",
    ),
    e.CopyStopping(**COPY, reason="by_copier"),
    e.ProfitShareCharged(
        **COPY,
        leader_account_id="a1",
        amount=Decimal("12.30"),
        cumulative_net_pnl=Decimal(123),
        high_water_mark=Decimal(0),
        period="2026-W10",
    ),
    e.CopyClosed(
        **COPY,
        source_account_id="a2",
        leader_account_id="a1",
        profit_share=Decimal(0),
        returned=Decimal("999.82"),
        reason="by_copier",
    ),
]


def envelope(kind: str, context: str, payload: dict[str, object], version: int) -> Envelope:
    return Envelope(
        event_id="e-7",
        type=kind,
        version=1,
        context=context,
        aggregate_id="c1",
        aggregate_version=version,
        occurred_at=AT,
        payload=payload,
    )


@pytest.mark.parametrize("event", EVENTS, ids=lambda event: type(event).__name__)
def test_the_pushed_decision_is_the_stored_line(event: e.CopyTradingEvent) -> None:
    stored = history_line(event.type_name(), vars(event), AT, line_id("c1", 7))
    assert stored is not None
    pushed = decision_of(envelope(event.type_name(), "copytrading", event.payload(), 7))
    assert pushed == ("c1", decision_view(complete({**stored, "copy_id": "c1"})))


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        ("CopyAccountFunded", {"copy_id": "c1", "amount": "1000"}),
        (
            "CopyOrderRefused",
            {
                "copy_id": "c1",
                "decision_id": "d1",
                "market": "BTC-USD",
                "code": "insufficient_margin",
                "message": "not enough available",
            },
        ),
    ],
)
def test_trading_s_word_on_a_copy_is_pushed_as_the_note_it_becomes(
    kind: str, payload: dict[str, object]
) -> None:
    note = trading_note(kind, payload)
    assert note is not None
    stored = {**note, "decision_id": "e-7", "at": AT, "copy_id": "c1"}
    pushed = decision_of(envelope(kind, "trading", payload, 1))
    assert pushed == ("c1", decision_view(complete(stored)))


def test_lines_are_named_apart_and_events_of_no_line_make_none() -> None:
    assert len({line_id("c1", v) for v in range(1, 100)} | {line_id("c2", 1)}) == 100
    assert all(len(line_id("c1", v)) == 36 for v in (1, 10**9))  # the column's width
    started = envelope("CopyStarted", "copytrading", {"copy_id": "c1"}, 1)
    assert decision_of(started) is None
    assert decision_of(envelope("OrderFilled", "trading", {"account_id": "a9"}, 1)) is None
