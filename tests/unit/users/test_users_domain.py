"""The User aggregate and the identity rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from astratrade.shared.errors import ValidationFailed
from astratrade.users.domain import rules
from astratrade.users.domain.commands import LogIn, RegisterUser
from astratrade.users.domain.events import UserPromoted, UserRegistered
from astratrade.users.domain.model import RefreshToken, User

NOW = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


def new_user(**overrides: str) -> User:
    fields = {"email": "Ada@Example.COM", "username": "Ada_L", "password_hash": "h"} | overrides
    return User.register(user_id="u-1", created_at=NOW, **fields)


def test_register_records_the_event_with_a_lowercase_email() -> None:
    user = new_user()

    assert (user.email, user.username, user.username_key) == ("ada@example.com", "Ada_L", "ada_l")
    assert (user.role, user.kyc, user.created_at) == ("trader", False, NOW)
    assert user.pending_events == [
        UserRegistered(user_id="u-1", username="Ada_L", email="ada@example.com")
    ]
    assert user.pending_events[0].payload()["user_id"] == "u-1"
    assert UserRegistered.context == "users"


def test_promote_records_once_and_an_admin_again_is_a_no_op() -> None:
    user = new_user()
    user.pending_events.clear()

    user.promote()
    user.promote()

    assert user.role == "admin"
    assert user.pending_events == [UserPromoted(user_id="u-1", role="admin")]


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        User.register(
            user_id="u-1",
            email="a@b.co",
            username="ada",
            password_hash="h",
            created_at=datetime(2025, 1, 1),  # noqa: DTZ001 - the point of the test
        )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "", "email is required"),
        ("email", "not-an-email", "'not-an-email' is not a valid address"),
        ("email", "a b@c.de", "is not a valid address"),
        ("email", "x@" + "d" * 250 + ".com", "at most 254 characters, got 256"),
        ("username", "ab", "'ab' must be 3-32 characters, got 2"),
        ("username", "a" * 33, "must be 3-32 characters, got 33"),
        ("username", "ada lovelace", "may contain only letters, digits"),
        ("username", "ada@home", "may contain only letters, digits"),
        ("username", "adä", "may contain only letters, digits"),
        ("password", "short", "password must be 8-128 characters, got 5"),
        ("password", "p" * 129, "password must be 8-128 characters, got 129"),
    ],
)
def test_each_rule_names_its_field(field: str, value: str, message: str) -> None:
    check = {"email": rules.check_email, "username": rules.check_username}.get(
        field, rules.check_password
    )
    with pytest.raises(ValidationFailed, match=message) as caught:
        check(value)
    assert caught.value.field == field
    if field == "password":
        assert value not in caught.value.message


@pytest.mark.parametrize("username", ["abc", "A.b-c_9", "x" * 32])
def test_valid_usernames_pass(username: str) -> None:
    rules.check_username(username)


def test_passwords_stay_out_of_command_reprs() -> None:
    assert "s3cret-pass" not in repr(
        RegisterUser(email="a@b.co", username="ada", password="s3cret-pass")
    )
    assert "s3cret-pass" not in repr(LogIn(login="ada", password="s3cret-pass"))


def test_a_refresh_token_is_unusable_once_used_or_expired() -> None:
    token = RefreshToken(
        token_id="t", user_id="u", issued_at=NOW, expires_at=NOW + timedelta(days=1)
    )

    assert token.problem_at(NOW) is None
    assert token.problem_at(NOW + timedelta(days=1)) == "refresh token has expired"
    used = RefreshToken(
        token_id="t", user_id="u", issued_at=NOW, expires_at=NOW, used_at=NOW, replaced_by="t2"
    )
    assert used.problem_at(NOW) == "refresh token has already been used"
