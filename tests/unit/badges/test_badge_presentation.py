"""What a badge shows: the catalogue covers every achievement gamification awards; the
image is deterministic, small and self-contained; the metadata has the ERC-721 shape with
ERC-5192's lock."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from xml.etree import ElementTree

from hypothesis import given
from hypothesis import strategies as st

from astratrade.badges.domain.badges import Badge
from astratrade.badges.domain.catalogue import CATALOGUE, SPARE_SLOTS_FROM, card_of
from astratrade.badges.domain.image import badge_svg
from astratrade.badges.domain.links import Links
from astratrade.badges.domain.metadata import token_metadata
from astratrade.badges.domain.tokens import holder_key_of, token_id_of
from astratrade.gamification.domain.rules import Achievement

LINKS = Links.under("https://astratrade.example/")
EARNED = datetime(2026, 3, 2, 9, 0, 30, tzinfo=UTC)
MAX_IMAGE_BYTES = 2048


def badge(achievement: str = "WEEK_WARRIOR", **changes: object) -> Badge:
    user = "0b7d2d6e-5c39-4f0e-8e43-3a1f6c9e21d4"
    fields: dict[str, object] = {
        "token_id": token_id_of(user, achievement),
        "user_id": user,
        "holder": holder_key_of(user),
        "achievement": achievement,
        "earned_at": EARNED,
        "level": 4,
    }
    return Badge(**{**fields, **changes})  # type: ignore[arg-type]


def test_every_achievement_gamification_awards_has_a_card_and_its_own_status_slot() -> None:
    assert set(CATALOGUE) == {a.value for a in Achievement}
    slots = [card.status_index for card in CATALOGUE.values()]
    assert sorted(slots) == list(range(len(slots)))  # append-only: 0, 1, 2, ...


def test_an_uncatalogued_achievement_is_shown_by_its_id_past_the_catalogued_slots() -> None:
    card = card_of("NIGHT_OWL")
    assert card.name == "Night Owl"
    assert card.status_index >= SPARE_SLOTS_FROM
    assert card == card_of("NIGHT_OWL")


@given(st.sampled_from(sorted(CATALOGUE)))
def test_the_image_is_deterministic_small_and_self_contained(achievement: str) -> None:
    svg = badge_svg(CATALOGUE[achievement])
    assert svg == badge_svg(CATALOGUE[achievement])
    assert len(svg.encode()) <= MAX_IMAGE_BYTES
    root = ElementTree.fromstring(svg)  # noqa: S314 - our own output, checked well-formed
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    # Nothing to fetch: no links, no external images, fonts, styles or scripts.
    assert not re.search(
        r"href|url\(|@import|<script|<image|<foreignObject|https?://(?!www\.w3\.org/2000/svg)", svg
    )
    assert CATALOGUE[achievement].name in svg


def test_each_achievement_has_an_image_of_its_own() -> None:
    images = {badge_svg(card) for card in CATALOGUE.values()}
    assert len(images) == len(CATALOGUE)


def test_the_image_escapes_a_name_it_shows() -> None:
    svg = badge_svg(card_of("A<B&C"))
    ElementTree.fromstring(svg)  # noqa: S314 - our own output
    assert "<B" not in svg


def test_metadata_has_the_erc721_shape_and_is_locked() -> None:
    earned = badge()
    data = token_metadata(earned, LINKS)
    assert data["name"] == "Week Warrior badge"
    assert data["description"] == "Traded with discipline 7 days in a row."
    assert data["image"] == f"https://astratrade.example/api/v1/badges/{earned.token_id}/image.svg"
    assert data["locked"] is True
    assert data["attributes"] == [
        {"trait_type": "achievement", "value": "WEEK_WARRIOR"},
        {"trait_type": "earned at", "display_type": "date", "value": int(EARNED.timestamp())},
        {"trait_type": "level then", "display_type": "number", "value": 4},
    ]


def test_a_revoked_badge_says_so_in_its_metadata() -> None:
    data = token_metadata(badge(revoked_at=EARNED, revoked_reason="wash trading"), LINKS)
    assert {"trait_type": "status", "value": "revoked"} in data["attributes"]
