"""Replaying the event log rebuilds identical boards: however events were delivered live
(duplicates included), a rebuild from the log, each event once in order, gives the same
rows. (On an in-memory SQLite database: the projections' SQL is the code under test.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, select

from astratrade.gamification.adapters.tables import board_scores, tournament_standings
from astratrade.gamification.projections import RoiBoards, TournamentBoards, XpBoards
from astratrade.infrastructure import projections, tracking
from astratrade.infrastructure.db import SCHEMALESS, metadata
from astratrade.shared.messages import Envelope

MONDAY = datetime(2026, 3, 2, tzinfo=UTC)
USERS = ("u-1", "u-2", "u-3")
BOARDS = (XpBoards(), RoiBoards(5), TournamentBoards())


def xp_award(n: int, user: str, amount: int, total: int, at: datetime) -> Envelope:
    return _envelope(n, "XpAwarded", at, user_id=user, amount=amount, reason="close", total=total)


def close(n: int, user: str, kind: str, pnl: int, at: datetime) -> Envelope:
    capital = Decimal(10_000)
    return _envelope(
        n,
        "PositionClosed",
        at,
        account_id=f"{kind}-{user}",
        owner_id=user,
        account_kind=kind,
        collateral=str(capital + pnl),
        week_pnl=str(pnl),
        week_capital=str(capital),
    )


def joined(n: int, user: str, at: datetime) -> Envelope:
    return _envelope(
        n,
        "TournamentJoined",
        at,
        tournament_id="t-1",
        user_id=user,
        account_id=f"tournament-{user}",
        starting_capital="10000",
        ends_at=(MONDAY + timedelta(days=3)).isoformat(),
    )


def _envelope(n: int, kind: str, at: datetime, **payload: Any) -> Envelope:
    return Envelope(
        event_id=f"e-{n}",
        type=kind,
        version=1,
        context="x",
        aggregate_id=f"a-{n}",
        aggregate_version=1,
        occurred_at=at,
        payload=payload,
    )


step = st.tuples(
    st.sampled_from(["xp", "practice", "live", "tournament", "join"]),
    st.sampled_from(USERS),
    st.integers(min_value=-500, max_value=500),
    st.integers(min_value=0, max_value=6 * 24 * 60),  # minutes into the week and beyond
)


def history(steps: list[tuple[str, str, int, int]]) -> list[Envelope]:
    totals = dict.fromkeys(USERS, 0)
    log = []
    for n, (kind, user, amount, minutes) in enumerate(sorted(steps, key=lambda s: s[3])):
        at = MONDAY + timedelta(minutes=minutes * 2)  # reaches into the next week
        if kind == "xp":
            totals[user] += abs(amount)
            log.append(xp_award(n, user, abs(amount), totals[user], at))
        elif kind == "join":
            log.append(joined(n, user, at))
        else:
            log.append(close(n, user, kind, amount, at))
    return log


def boards_after(
    deliveries: list[Envelope], cuts: list[int] | None = None
) -> list[tuple[Any, ...]]:
    """The boards after these deliveries, event by event, or (`cuts`) in batches ending at
    those indexes, as the dispatcher and the stream consumer hand them over."""
    engine = create_engine("sqlite://", execution_options={"schema_translate_map": SCHEMALESS})
    metadata.create_all(engine, tables=[board_scores, tournament_standings, tracking.tracking])
    every = range(1, len(deliveries)) if cuts is None else cuts
    ends = sorted({*every, len(deliveries)})
    with engine.begin() as conn:
        start = 0
        for end in ends:
            batch = deliveries[start:end]
            start = end
            for board in BOARDS:
                share = [
                    (envelope, tracking.Delivery(board.name, envelope.event_id, "s", ""))
                    for envelope in batch
                    if envelope.type in board.event_types
                ]
                projections.apply_new(conn, board, share, MONDAY)
        rows = [
            tuple(r)
            for table in (board_scores, tournament_standings)
            for r in conn.execute(select(table))
        ]
    engine.dispose()
    return sorted(rows, key=repr)


@settings(max_examples=60, deadline=None)
@given(steps=st.lists(step, max_size=30), redelivered=st.lists(st.integers(0, 29), max_size=10))
def test_a_rebuild_from_the_log_equals_the_boards_built_live(
    steps: list[tuple[str, str, int, int]], redelivered: list[int]
) -> None:
    log = history(steps)
    live = list(log)
    for i in redelivered:  # a redelivery lands right after the original
        if i < len(log):
            live.insert(live.index(log[i]) + 1, log[i])
    assert boards_after(live) == boards_after(log)


@settings(max_examples=60, deadline=None)
@given(steps=st.lists(step, max_size=30), cuts=st.lists(st.integers(0, 30), max_size=6))
def test_boards_fed_whole_batches_equal_the_boards_fed_event_by_event(
    steps: list[tuple[str, str, int, int]], cuts: list[int]
) -> None:
    log = history(steps)
    assert boards_after(log, cuts) == boards_after(log)
