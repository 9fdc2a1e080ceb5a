"""A tournament's terms at the edges of what is allowed (each bound accepted, one past it
refused with the field named and why), what creating, joining and finishing announce, the
XP of each achievement, and a trader's progress as it was saved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from typing import Any

import pytest

from astratrade.gamification.domain import events
from astratrade.gamification.domain.progress import Trader
from astratrade.gamification.domain.rules import Achievement, ProgressionRules
from astratrade.gamification.domain.tournaments import (
    MAX_CAPITAL,
    MAX_DURATION,
    MAX_ENTRANTS,
    MAX_LEAD,
    LevelTooLow,
    Placing,
    Tournament,
)
from astratrade.shared.errors import ValidationFailed

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
HOUR = timedelta(hours=1)
LISTED = ("BTC-USD", "ETH-USD", "SOL-USD", "STRK-USD")


def create(**changes: Any) -> Tournament:
    fields: dict[str, Any] = {
        "name": "Monday Sprint",
        "markets": ["ETH-USD"],
        "listed": LISTED,
        "starts_at": NOW + HOUR,
        "ends_at": NOW + 25 * HOUR,
        "starting_capital": D(10_000),
        "max_entrants": 3,
        "min_level": 2,
        "at": NOW,
    }
    return Tournament.create("t-1", **{**fields, **changes})


def refusal(**changes: Any) -> tuple[str | None, str]:
    with pytest.raises(ValidationFailed) as refused:
        create(**changes)
    return refused.value.field, refused.value.message


def test_each_bound_of_the_terms_is_allowed() -> None:
    for changes in (
        {"name": "M"},
        {"name": "M" * 80},
        {"starting_capital": D("0.000001")},
        {"starting_capital": MAX_CAPITAL},
        {"max_entrants": 2},
        {"max_entrants": MAX_ENTRANTS},
        {"min_level": 1},
        {"starts_at": NOW + MAX_LEAD, "ends_at": NOW + MAX_LEAD + HOUR},
        {"starts_at": NOW - HOUR, "ends_at": NOW - HOUR + MAX_DURATION},
    ):
        create(**changes)


def test_one_past_each_bound_is_refused_with_the_field_and_why() -> None:
    assert refusal(name="") == ("name", "name must be 1 to 80 characters")
    assert refusal(name="M" * 81) == ("name", "name must be 1 to 80 characters")
    assert refusal(markets=["DOGE-USD"]) == (
        "markets",
        "markets must be some of BTC-USD, ETH-USD, SOL-USD, STRK-USD; got ['DOGE-USD']",
    )
    assert refusal(starts_at=datetime(2026, 3, 2, 10)) == (  # noqa: DTZ001
        "starts_at",
        "starts_at must carry a timezone",
    )
    assert refusal(ends_at=datetime(2026, 3, 3, 10)) == (  # noqa: DTZ001
        "ends_at",
        "ends_at must carry a timezone",
    )
    assert refusal(ends_at=NOW + HOUR) == ("ends_at", "ends_at must be after starts_at")
    assert refusal(starts_at=NOW - 2 * HOUR, ends_at=NOW) == (
        "ends_at",
        "ends_at must be in the future",
    )
    late = NOW + MAX_LEAD + timedelta(microseconds=1)
    assert refusal(starts_at=late, ends_at=late + HOUR) == (
        "starts_at",
        f"starts_at may be at most 366 days ahead, was {late.isoformat()}",
    )
    long = NOW + HOUR + MAX_DURATION + timedelta(microseconds=1)
    assert refusal(ends_at=long) == (
        "ends_at",
        f"a tournament lasts at most 366 days; ends_at was {long.isoformat()}",
    )
    assert refusal(starting_capital=D(0)) == (
        "starting_capital",
        f"starting_capital must be above 0 and at most {MAX_CAPITAL}",
    )
    assert refusal(starting_capital=MAX_CAPITAL + D("0.000001"))[0] == "starting_capital"
    assert refusal(starting_capital=D("0.0000001")) == (
        "starting_capital",
        "starting_capital 1E-7 has more than 6 decimal places",
    )
    assert refusal(max_entrants=1) == ("max_entrants", f"max_entrants must be 2 to {MAX_ENTRANTS}")
    assert refusal(max_entrants=MAX_ENTRANTS + 1)[0] == "max_entrants"
    assert refusal(min_level=0) == ("min_level", "min_level must be at least 1")


def test_a_created_tournament_announces_and_keeps_its_terms() -> None:
    tournament = create(name="  Monday Sprint ")
    (created,) = tournament.pending_events
    assert created == events.TournamentCreated(
        tournament_id="t-1",
        name="Monday Sprint",
        markets=["ETH-USD"],
        starts_at=NOW + HOUR,
        ends_at=NOW + 25 * HOUR,
        starting_capital=D(10_000),
        max_entrants=3,
        min_level=2,
    )
    assert (tournament.name, tournament.created_at, tournament.finished_at) == (
        "Monday Sprint",
        NOW,
        None,
    )
    assert (tournament.version, tournament.results) == (0, [])


def test_joining_announces_the_entrants_account_and_window() -> None:
    tournament = create()
    account_id = tournament.join("ann", level=2, at=NOW)
    assert tournament.new_entries == [("ann", account_id, NOW)]
    joined = tournament.pending_events[-1]
    assert isinstance(joined, events.TournamentJoined)
    assert (joined.tournament_id, joined.account_id) == ("t-1", account_id)
    assert (joined.starts_at, joined.ends_at) == (NOW + HOUR, NOW + 25 * HOUR)
    with pytest.raises(LevelTooLow, match="needs level 2; yours is 1"):
        tournament.join("bob", level=1, at=NOW)


def test_a_finished_tournament_announces_its_podium() -> None:
    tournament = create()
    standings = [Placing(1, "ann", D(5), 6), Placing(2, "bob", D(1), 5)]
    tournament.finish(standings, NOW + 25 * HOUR, podium_size=3)
    finished = tournament.pending_events[-1]
    assert isinstance(finished, events.TournamentFinished)
    assert (finished.tournament_id, finished.podium, finished.ranked) == ("t-1", ["ann", "bob"], 2)


def test_each_achievement_is_worth_its_xp() -> None:
    assert dict(ProgressionRules().achievement_xp) == {
        Achievement.FIRST_TRADE: 100,
        Achievement.TRADER_NOVICE: 250,
        Achievement.TRADER_EXPERT: 500,
        Achievement.WEEK_WARRIOR: 300,
        Achievement.PROFIT_MASTER: 750,
        Achievement.RISK_MANAGER: 400,
        Achievement.DIVERSIFIER: 150,
        Achievement.SURVIVOR: 500,
        Achievement.TOURNAMENT_PODIUM: 1000,
    }


def test_a_trader_loaded_from_the_store_keeps_what_it_was_saved_with() -> None:
    day = NOW.date()
    trader = Trader(
        "ann",
        xp=1200,
        level=4,
        max_leverage=25,
        xp_day=day,
        xp_closes_today=3,
        first_trade_at=NOW,
        liquidated=True,
        version=7,
    )
    assert (trader.id, trader.version) == ("progression-ann", 7)
    assert (trader.xp_day, trader.xp_closes_today, trader.first_trade_at, trader.liquidated) == (
        day,
        3,
        NOW,
        True,
    )
    fresh = Trader("bob", xp=0, level=1, max_leverage=10)
    assert (fresh.version, fresh.xp_closes_today, fresh.liquidated) == (0, 0, False)
