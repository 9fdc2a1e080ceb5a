"""The Tournament aggregate: creation rules, joining, finishing once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from typing import Any

import pytest

from astratrade.gamification.domain import events
from astratrade.gamification.domain.tournaments import (
    LevelTooLow,
    Placing,
    Status,
    Tournament,
    account_id_for,
)
from astratrade.shared.errors import Conflict, ValidationFailed
from astratrade.shared.shards import shard_of

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
HOUR = timedelta(hours=1)
# The namespace of tournament account ids (gamification/domain/tournaments.py).
ACCOUNTS_NAMESPACE = uuid.UUID("6f1c4a52-3b0e-4d5e-9a61-0c7f1e2d9b40")
LISTED = ("BTC-USD", "ETH-USD", "SOL-USD", "STRK-USD")


def create(**changes: Any) -> Tournament:
    fields: dict[str, Any] = {
        "name": "Monday Sprint",
        "markets": ["ETH-USD", "BTC-USD"],
        "listed": LISTED,
        "starts_at": NOW + HOUR,
        "ends_at": NOW + 25 * HOUR,
        "starting_capital": D(10_000),
        "max_entrants": 3,
        "min_level": 2,
        "at": NOW,
    }
    return Tournament.create("t-1", **{**fields, **changes})


def test_a_new_tournament_is_recorded_with_sorted_markets() -> None:
    tournament = create()
    (created,) = tournament.pending_events
    assert isinstance(created, events.TournamentCreated)
    assert created.markets == ["BTC-USD", "ETH-USD"]
    assert [tournament.status(m) for m in (NOW, NOW + HOUR, NOW + 25 * HOUR)] == [
        Status.UPCOMING,
        Status.RUNNING,
        Status.ENDED,
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "  "}, "name"),
        ({"markets": []}, "markets"),
        ({"markets": ["DOGE-USD"]}, "markets"),
        ({"ends_at": NOW + HOUR}, "ends_at"),
        ({"starts_at": NOW - 3 * HOUR, "ends_at": NOW - HOUR}, "ends_at"),
        ({"starting_capital": D(0)}, "starting_capital"),
        ({"max_entrants": 1}, "max_entrants"),
        ({"min_level": 0}, "min_level"),
        ({"starts_at": datetime(2026, 3, 3)}, "starts_at"),  # noqa: DTZ001 (naive on purpose)
        (
            {"starts_at": NOW + timedelta(days=367), "ends_at": NOW + timedelta(days=368)},
            "starts_at",
        ),
        ({"ends_at": datetime(9999, 12, 31, tzinfo=UTC)}, "ends_at"),
        ({"starting_capital": D("10000.0000001")}, "starting_capital"),
    ],
)
def test_bad_tournaments_are_refused_with_the_field_named(
    changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        create(**changes)
    assert refused.value.field == field


def test_joining_needs_the_level_a_place_and_time_left() -> None:
    tournament = create()
    with pytest.raises(LevelTooLow):
        tournament.join("u-0", level=1, at=NOW)
    accounts = [tournament.join(f"u-{i}", level=2, at=NOW + HOUR) for i in range(1, 4)]
    assert accounts == [account_id_for("t-1", f"u-{i}") for i in range(1, 4)]
    assert len(set(accounts)) == 3
    assert tournament.entrants == 3
    with pytest.raises(Conflict, match="full"):
        tournament.join("u-4", level=5, at=NOW + HOUR)
    late = create(max_entrants=10)
    with pytest.raises(Conflict, match="over"):
        late.join("u-5", level=5, at=NOW + 25 * HOUR)
    joined = [e for e in tournament.pending_events if isinstance(e, events.TournamentJoined)]
    assert (joined[0].user_id, joined[0].starting_capital, joined[0].markets) == (
        "u-1",
        D(10_000),
        ["BTC-USD", "ETH-USD"],
    )


def test_it_finishes_once_after_its_end_and_names_the_podium() -> None:
    tournament = create()
    standings = [Placing(i, f"u-{i}", D(5 - i) / 10, 3) for i in range(1, 5)]
    with pytest.raises(Conflict, match="runs until"):
        tournament.finish(standings, NOW + 24 * HOUR, 3)
    podium = tournament.finish(standings, NOW + 25 * HOUR, 3)
    assert [p.user_id for p in podium] == ["u-1", "u-2", "u-3"]
    assert tournament.status(NOW + 26 * HOUR) is Status.FINISHED
    finished = tournament.pending_events[-1]
    assert isinstance(finished, events.TournamentFinished)
    assert (finished.podium, finished.ranked) == (["u-1", "u-2", "u-3"], 4)
    with pytest.raises(Conflict, match="already finished"):
        tournament.finish(standings, NOW + 26 * HOUR, 3)


def test_a_tournament_account_falls_in_its_traders_shard_and_keeps_its_id() -> None:
    # One shard: the id tournaments always had (existing accounts keep theirs).
    assert account_id_for("t-1", "u-1") == str(uuid.uuid5(ACCOUNTS_NAMESPACE, "t-1:u-1"))
    for shards in (2, 3, 16, 256):
        for n in range(40):
            user = f"user-{n}"
            account = account_id_for(f"t-{n % 3}", user, shards)
            assert shard_of(account, shards) == shard_of(user, shards)
            assert account_id_for(f"t-{n % 3}", user, shards) == account  # same every time
    tournament = create(max_entrants=10)
    joined = tournament.join("u-7", level=2, at=NOW, shards=8)
    assert joined == account_id_for("t-1", "u-7", 8)
