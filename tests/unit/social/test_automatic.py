"""Automatic items respect each opt-out and never post trade counts."""

from __future__ import annotations

import pytest

from astratrade.social.domain.automatic import (
    achievement_item,
    item_id,
    leading_item,
    level_item,
    podium_item,
)
from astratrade.social.domain.posts import PostKind
from astratrade.social.domain.profiles import AutomaticItems

ALL = AutomaticItems()


def test_an_achievement_item_names_it() -> None:
    item = achievement_item("WEEK_WARRIOR", ALL)
    assert item is not None
    assert (item.kind, item.text, item.details) == (
        PostKind.ACHIEVEMENT,
        "Unlocked the Week Warrior achievement",
        {"achievement": "WEEK_WARRIOR"},
    )


@pytest.mark.parametrize(
    "achievement", ["FIRST_TRADE", "TRADER_NOVICE", "TRADER_EXPERT", "TOURNAMENT_PODIUM"]
)
def test_trade_count_achievements_never_post(achievement: str) -> None:
    assert achievement_item(achievement, ALL) is None


def test_each_kind_respects_its_opt_out() -> None:
    assert achievement_item("SURVIVOR", AutomaticItems(achievement=False)) is None
    assert level_item(5, AutomaticItems(level=False)) is None
    assert podium_item(1, "t1", "Sprint", AutomaticItems(podium=False)) is None
    assert achievement_item("SURVIVOR", AutomaticItems(level=False, podium=False)) is not None


def test_level_and_podium_items() -> None:
    assert level_item(1, ALL) is None  # where everyone starts
    level = level_item(4, ALL)
    podium = podium_item(2, "t1", "Sprint", ALL)
    assert level is not None
    assert podium is not None
    assert level.text == "Reached level 4"
    assert (podium.text, podium.details) == (
        "Finished 2nd in Sprint",
        {"tournament_id": "t1", "place": 2},
    )
    assert podium_item(4, "t1", "Sprint", ALL) is None


def test_an_item_id_is_the_same_for_the_same_event_and_user() -> None:
    assert item_id("e1", "ada") == item_id("e1", "ada")
    assert item_id("e1", "ada") != item_id("e1", "ben")


def test_a_leading_item_tells_the_fact_only() -> None:
    item = leading_item(ALL)
    assert item is not None
    assert (item.kind, item.text, item.details) == (
        PostKind.LEADING,
        "Started leading copy trading",
        {},
    )
    assert leading_item(AutomaticItems(leading=False)) is None
