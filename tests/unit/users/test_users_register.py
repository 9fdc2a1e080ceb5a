"""Registering and promoting users through the handlers, over in-memory fakes."""

from __future__ import annotations

import pytest

from astratrade.shared.errors import Conflict, NotFound, ValidationFailed
from astratrade.users.domain.commands import PromoteUser, RegisterUser
from astratrade.users.domain.events import UserPromoted, UserRegistered

PASSWORD = "correct horse"


def register_cmd(
    email: str = "ada@example.com", username: str = "Ada", password: str = PASSWORD
) -> RegisterUser:
    return RegisterUser(email=email, username=username, password=password)


async def test_register_stores_the_user_with_an_argon2id_hash_and_publishes_the_event(
    users,
) -> None:
    user = await users.register(register_cmd(email=" Ada@Example.com "))

    stored = users.store.users[user.id]
    assert (stored.id, stored.email, stored.username) == ("u-00000001", "ada@example.com", "Ada")
    assert stored.password_hash.startswith("$argon2id$")
    assert "correct horse" not in stored.password_hash
    assert users.hasher.verify(stored.password_hash, "correct horse")
    assert stored.created_at == users.clock.now()
    assert stored.version == 1
    assert users.store.events == [
        UserRegistered(user_id=user.id, username="Ada", email="ada@example.com")
    ]


@pytest.mark.parametrize(
    ("second", "field"),
    [
        (register_cmd(email="ADA@example.COM", username="someone_else"), "email"),
        (register_cmd(email="other@example.com", username="aDA"), "username"),
    ],
)
async def test_a_taken_email_or_username_is_a_conflict_naming_it(users, second, field) -> None:
    await users.register(register_cmd())

    with pytest.raises(Conflict) as caught:
        await users.register(second)

    assert caught.value.field == field
    assert field in caught.value.message
    assert len(users.store.users) == 1


@pytest.mark.parametrize(
    ("cmd", "field"),
    [
        (register_cmd(email="nope"), "email"),
        (register_cmd(username="x"), "username"),
        (register_cmd(username="bad name"), "username"),
        (register_cmd(password="1234567"), "password"),
    ],
)
async def test_an_invalid_field_is_named_and_nothing_is_stored(users, cmd, field) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await users.register(cmd)

    assert caught.value.field == field
    assert users.store.users == {}
    assert users.store.commits == 0


async def test_promote_makes_an_admin_once(users) -> None:
    user = await users.register(register_cmd())

    promoted = await users.promote(PromoteUser(username="ada"))
    again = await users.promote(PromoteUser(username="Ada"))

    assert promoted.role == again.role == "admin"
    assert users.store.users[user.id].role == "admin"
    assert users.store.events[1:] == [UserPromoted(user_id=user.id, role="admin")]


async def test_promote_an_unknown_username_is_not_found(users) -> None:
    with pytest.raises(NotFound, match="'ghost'"):
        await users.promote(PromoteUser(username="ghost"))
