"""Token ids: a uint256 derived from the badge alone, stable, collision-free, and parsed
back from a URL strictly."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from astratrade.badges.domain.tokens import (
    UINT256_MAX,
    holder_key_of,
    parse_token_id,
    token_id_of,
)
from astratrade.shared.errors import ValidationFailed

user_ids = st.uuids().map(str)
achievements = st.sampled_from(
    ["FIRST_TRADE", "TRADER_NOVICE", "WEEK_WARRIOR", "SURVIVOR", "TOURNAMENT_PODIUM"]
) | st.text(min_size=1, max_size=40)


def test_token_id_is_the_documented_hash_of_the_badge() -> None:
    """Pinned: changing the derivation would orphan every token minted on chain."""
    user = "0b7d2d6e-5c39-4f0e-8e43-3a1f6c9e21d4"
    digest = hashlib.sha256(b"astratrade/badge/v1\x00" + user.encode() + b"\x00FIRST_TRADE")
    assert token_id_of(user, "FIRST_TRADE") == int(digest.hexdigest(), 16)
    assert token_id_of(user, "FIRST_TRADE") == int(
        "110932456861777815333094616057167444938602893249976874191739413016134046086737"
    )


@given(user_ids, achievements)
def test_token_id_is_stable_and_a_uint256(user: str, achievement: str) -> None:
    token = token_id_of(user, achievement)
    assert token == token_id_of(user, achievement)
    assert 0 <= token <= UINT256_MAX
    assert parse_token_id(str(token)) == token


@given(st.lists(st.tuples(user_ids, achievements), min_size=2, max_size=50, unique=True))
def test_distinct_badges_never_share_a_token_id(badges: list[tuple[str, str]]) -> None:
    tokens = {token_id_of(user, achievement) for user, achievement in badges}
    assert len(tokens) == len(badges)


@given(st.text(max_size=20), st.text(max_size=20))
def test_the_separator_keeps_shifted_pairs_apart(user: str, achievement: str) -> None:
    """("ab", "c") and ("a", "bc") hash different inputs."""
    if user and "\x00" not in user + achievement:
        assert token_id_of(user, achievement) != token_id_of(user[:-1], user[-1] + achievement)


def test_the_holder_key_hides_the_user_id() -> None:
    user = "0b7d2d6e-5c39-4f0e-8e43-3a1f6c9e21d4"
    key = holder_key_of(user)
    assert len(key) == 32
    assert user not in key
    assert key == holder_key_of(user)


@pytest.mark.parametrize(
    "text", ["", "-1", "+1", "01", "1.0", "abc", "0x10", "١٢", str(UINT256_MAX + 1), "9" * 79]
)
def test_a_bad_token_id_is_refused_naming_token_id(text: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_token_id(text)
    assert refused.value.field == "token_id"


def test_zero_and_the_largest_uint256_parse() -> None:
    assert parse_token_id("0") == 0
    assert parse_token_id(str(UINT256_MAX)) == UINT256_MAX
