"""A profile's settings: limits, what changes are recorded, automatic-item opt-outs."""

from __future__ import annotations

import pytest
from social_support import RULES, event_types, profile

from astratrade.shared.errors import ValidationFailed
from astratrade.social.domain.events import ProfileUpdated
from astratrade.social.domain.profiles import AutomaticItems
from astratrade.social.domain.rules import Visibility


def test_update_records_what_the_profile_now_says() -> None:
    ada = profile("ada")

    changed = ada.update(
        RULES,
        display_name="Ada L.",
        bio="Stops first.",
        visibility=Visibility.PRIVATE,
        automatic={"level": False},
    )

    assert changed
    [event] = ada.pending_events
    assert event == ProfileUpdated(
        user_id="ada",
        display_name="Ada L.",
        bio="Stops first.",
        visibility="private",
        automatic_items={"achievement": True, "level": False, "podium": True, "leading": True},
    )
    assert ada.private
    assert ada.automatic == AutomaticItems(level=False)


def test_update_that_changes_nothing_records_nothing() -> None:
    ada = profile("ada")
    assert not ada.update(RULES, display_name="", visibility=Visibility.PUBLIC)
    assert event_types(ada) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"display_name": "x" * 41}, "display_name"),
        ({"display_name": "two\nlines"}, "display_name"),
        ({"bio": "y" * 281}, "bio"),
        ({"automatic": {"trades": False}}, "automatic_items.trades"),
    ],
)
def test_update_refuses_with_the_field_named(change: dict, field: str) -> None:
    ada = profile("ada")
    with pytest.raises(ValidationFailed) as refused:
        ada.update(RULES, **change)
    assert refused.value.field == field
    assert event_types(ada) == []


def test_limits_hold_at_their_edge() -> None:
    ada = profile("ada")
    assert ada.update(RULES, display_name="x" * 40, bio="line one\nline two" + "y" * 263)
