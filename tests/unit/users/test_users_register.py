"""Registering and promoting users through the handlers, over in-memory fakes."""

from __future__ import annotations

import pytest

from astratrade.shared.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from astratrade.users.adapters.passwords import Argon2Hasher
from astratrade.users.domain.commands import LogIn, PromoteUser, RegisterUser
from astratrade.users.domain.events import RegistrationAttempted, UserPromoted, UserRegistered

PASSWORD = "correct horse"


class CountingHasher(Argon2Hasher):
    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8)
        self.hashes = 0

    def hash(self, password: str) -> str:
        self.hashes += 1
        return super().hash(password)


def register_cmd(
    email: str = "ada@example.com", username: str = "Ada", password: str = PASSWORD
) -> RegisterUser:
    return RegisterUser(email=email, username=username, password=password)


async def test_register_stores_the_user_with_an_argon2id_hash_and_publishes_the_event(
    users,
) -> None:
    user = await users.register(register_cmd(email=" Ada@Example.com "))

    stored = users.store.users[user.user_id]
    assert (stored.id, stored.email, stored.username) == ("u-00000001", "ada@example.com", "Ada")
    assert stored.password_hash.startswith("$argon2id$")
    assert "correct horse" not in stored.password_hash
    assert users.hasher.verify(stored.password_hash, "correct horse")
    assert stored.created_at == users.clock.now()
    assert stored.version == 1
    assert users.store.events == [
        UserRegistered(user_id=user.user_id, username="Ada", email="ada@example.com")
    ]


@pytest.mark.parametrize(
    "second",
    [
        register_cmd(email="other@example.com", username="aDA"),
        register_cmd(email="ADA@example.COM", username="ada"),  # both taken: the username says
    ],
)
async def test_a_taken_username_is_a_conflict_naming_it(users, second) -> None:
    await users.register(register_cmd())

    with pytest.raises(Conflict) as caught:
        await users.register(second)

    assert caught.value.field == "username"
    assert "username" in caught.value.message
    assert len(users.store.users) == 1


async def test_a_taken_email_answers_as_a_new_sign_up_creates_nothing_and_tells_its_owner(
    users,
) -> None:
    ada = await users.register(register_cmd())
    hashing = CountingHasher()
    users.hasher = hashing

    answer = await users.register(register_cmd(email=" ADA@example.COM", username="someone_else"))

    assert answer.username == "someone_else"
    assert answer.user_id not in users.store.users  # a new id, as a new sign-up gets
    assert list(users.store.users) == [ada.user_id]
    assert hashing.hashes == 1  # the same argon2 work as a sign-up that creates the account
    assert users.store.events[-1] == RegistrationAttempted(
        user_id=ada.user_id, username="someone_else"
    )
    with pytest.raises(Unauthorized):  # no account answers to the name it gave
        await users.log_in(LogIn(login="someone_else", password=PASSWORD))


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
    assert users.store.users[user.user_id].role == "admin"
    assert users.store.events[1:] == [UserPromoted(user_id=user.user_id, role="admin")]


async def test_promote_an_unknown_username_is_not_found(users) -> None:
    with pytest.raises(NotFound, match="'ghost'"):
        await users.promote(PromoteUser(username="ghost"))
