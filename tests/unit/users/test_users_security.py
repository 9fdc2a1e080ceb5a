"""Lockout with backoff, session revocation (logout everywhere, a new password, suspension)
and the password policy, through the handlers over in-memory fakes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from astratrade.shared.errors import Forbidden, TooManyRequests, Unauthorized, ValidationFailed
from astratrade.users import handlers
from astratrade.users.domain import rules
from astratrade.users.domain.commands import (
    ChangePassword,
    LogIn,
    LogOutEverywhere,
    RefreshTokens,
    RegisterUser,
    SuspendUser,
)

PASSWORD = "correct horse"


@pytest.fixture
async def ada(users):
    signed_up = await users.register(
        RegisterUser(email="ada@example.com", username="Ada", password=PASSWORD)
    )
    return users.store.users[signed_up.user_id]


async def fail(users, login: str = "Ada") -> Exception:
    with pytest.raises((Unauthorized, TooManyRequests)) as raised:
        await users.log_in(LogIn(login=login, password="wrong password"))
    return raised.value


@pytest.mark.parametrize("login", ["Ada", "ghost"])  # the same for a name nobody has
async def test_five_failures_lock_the_name_with_growing_backoff(users, ada, login) -> None:
    for _ in range(rules.LOCK_AFTER - 1):
        assert isinstance(await fail(users, login), Unauthorized)
    locked = await fail(users, login)
    assert isinstance(locked, TooManyRequests)
    assert locked.retry_after == 60
    with pytest.raises(TooManyRequests):  # even the right password waits
        await users.log_in(LogIn(login=login, password=PASSWORD))
    users.clock.advance(61)
    assert (await fail(users, login)).retry_after == 120  # type: ignore[attr-defined]
    users.clock.advance(121)
    if login == "Ada":
        await users.log_in(LogIn(login="ADA", password=PASSWORD))  # clears the count
        assert isinstance(await fail(users, login), Unauthorized)


async def test_failures_under_one_name_lock_the_account_under_every_name(users, ada) -> None:
    for _ in range(rules.LOCK_AFTER):
        await fail(users, "Ada")
    with pytest.raises(Unauthorized):  # the email is not locked, the account is
        await users.log_in(LogIn(login="ada@example.com", password=PASSWORD))
    users.clock.advance(61)
    await users.log_in(LogIn(login="ada@example.com", password=PASSWORD))


async def test_failures_spread_over_the_names_lock_the_account(users, ada) -> None:
    for n in range(rules.LOCK_AFTER):
        answer = await fail(users, "Ada" if n % 2 else "ada@example.com")
        assert isinstance(answer, Unauthorized)  # neither name reached five
    with pytest.raises(Unauthorized):
        await users.log_in(LogIn(login="Ada", password=PASSWORD))


async def test_a_locked_account_answers_as_an_unknown_name_would(users, ada) -> None:
    for _ in range(rules.LOCK_AFTER):
        await fail(users, "Ada")
    for login in ("ada@example.com", "ghost"):  # known (its account locked) and unknown
        answers = [await fail(users, login) for _ in range(rules.LOCK_AFTER)]
        assert [type(a) for a in answers] == [Unauthorized] * 4 + [TooManyRequests]
        assert [str(a) for a in answers[:4]] == [handlers.INVALID_LOGIN] * 4


async def test_failures_are_forgotten_after_an_hour(users, ada) -> None:
    for _ in range(rules.LOCK_AFTER - 1):
        await fail(users)
    users.clock.advance(rules.FAILURE_MEMORY.total_seconds() + 1)
    assert isinstance(await fail(users), Unauthorized)


@given(st.integers(min_value=0, max_value=10_000))
def test_the_lock_grows_from_a_minute_to_at_most_an_hour(failures: int) -> None:
    lock = rules.lock_for(failures)
    if failures < rules.LOCK_AFTER:
        assert lock is None
    else:
        assert lock is not None
        assert timedelta(minutes=1) <= lock <= timedelta(hours=1)
        assert lock <= (rules.lock_for(failures + 1) or lock)


async def test_logging_out_everywhere_revokes_access_and_refresh_tokens(users, tokens, ada):
    pair = await users.log_in(LogIn(login="Ada", password=PASSWORD))
    user = await handlers.log_out_everywhere(
        LogOutEverywhere(user_id=ada.id), users.uow, users.clock
    )
    assert tokens.verify(pair.access_token, "access").epoch < user.session_epoch
    with pytest.raises(Unauthorized, match="revoked"):
        await users.refresh(RefreshTokens(refresh_token=pair.refresh_token))
    fresh = await users.log_in(LogIn(login="Ada", password=PASSWORD))
    assert tokens.verify(fresh.access_token, "access").epoch == user.session_epoch


async def test_a_new_password_ends_every_session_and_the_old_one_stops(users, ada) -> None:
    old = await users.log_in(LogIn(login="Ada", password=PASSWORD))

    async def change(current: str, new: str) -> handlers.TokenPair:
        cmd = ChangePassword(user_id=ada.id, current_password=current, new_password=new)
        return await handlers.change_password(
            cmd,
            users.uow,
            users.hasher,
            users.tokens,
            users.clock,
            users.ids,
            users.access_ttl,
            users.refresh_ttl,
        )

    with pytest.raises(ValidationFailed) as wrong:
        await change("not it at all", "a much better phrase")
    assert wrong.value.field == "current_password"
    with pytest.raises(ValidationFailed) as weak:
        await change(PASSWORD, "password1")  # a breached one
    assert weak.value.field == "new_password"
    pair = await change(PASSWORD, "a much better phrase")
    assert pair.access_token
    with pytest.raises(Unauthorized):
        await users.refresh(RefreshTokens(refresh_token=old.refresh_token))
    with pytest.raises(Unauthorized):
        await users.log_in(LogIn(login="Ada", password=PASSWORD))
    await users.log_in(LogIn(login="Ada", password="a much better phrase"))


async def test_a_suspended_user_cannot_log_in_until_reinstated(users, ada) -> None:
    pair = await users.log_in(LogIn(login="Ada", password=PASSWORD))
    suspended = await handlers.suspend_user(
        SuspendUser(user_id=ada.id, suspended=True), users.uow, users.clock
    )
    assert suspended.suspended
    with pytest.raises(Forbidden, match="suspended"):
        await users.log_in(LogIn(login="Ada", password=PASSWORD))
    with pytest.raises(Unauthorized):
        await users.refresh(RefreshTokens(refresh_token=pair.refresh_token))
    await handlers.suspend_user(
        SuspendUser(user_id=ada.id, suspended=False), users.uow, users.clock
    )
    await users.log_in(LogIn(login="Ada", password=PASSWORD))


@pytest.mark.parametrize("password", ["password1", "qwerty123", "Iloveyou", "12345678"])
def test_breached_passwords_are_refused(password: str) -> None:
    with pytest.raises(ValidationFailed, match="breached"):
        rules.check_password(password)


def test_a_good_passphrase_passes() -> None:
    rules.check_password("correct horse battery staple")
