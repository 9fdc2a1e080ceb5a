"""Refresh tokens, password upgrades and the /me view against SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from astratrade.shared.errors import Unauthorized
from astratrade.users import handlers, views
from astratrade.users.adapters.passwords import Argon2Hasher
from astratrade.users.adapters.sql_login_failures import SqlLoginFailures
from astratrade.users.adapters.tables import (
    account_login_failures,
    login_failures,
    progress,
    refresh_tokens,
    users,
)
from astratrade.users.domain.commands import LogIn, RefreshTokens, RegisterUser

PASSWORD = "correct horse"


@pytest.fixture
async def ada(new_uow, hasher, clock, ids):
    cmd = RegisterUser(email="ada@example.com", username="Ada", password=PASSWORD)
    signed_up = await handlers.register_user(cmd, new_uow(), hasher, clock, ids)
    async with new_uow() as uow:
        return await uow.users.get(signed_up.user_id)


@pytest.fixture
def log_in(new_uow, hasher, tokens, clock, ids, ttls, engine):
    async def run(login: str = "Ada", password: str = PASSWORD, with_hasher=hasher):
        cmd = LogIn(login=login, password=password)
        return await handlers.log_in(
            cmd, new_uow(), with_hasher, tokens, clock, ids, *ttls, SqlLoginFailures(engine)
        )

    return run


@pytest.fixture
def refresh(new_uow, tokens, clock, ids, ttls):
    async def run(token: str):
        cmd = RefreshTokens(refresh_token=token)
        return await handlers.refresh_tokens(cmd, new_uow(), tokens, clock, ids, *ttls)

    return run


async def test_a_refresh_token_is_stored_and_marked_used_once(new_uow, clock, ada) -> None:
    async with new_uow() as uow:
        uow.refresh_tokens.add(
            token_id="t-1",
            user_id=ada.id,
            issued_at=clock.now(),
            expires_at=clock.now(),
            family_id="t-1",
        )
        await uow.commit()

    async with new_uow() as uow:
        first = await uow.refresh_tokens.mark_used("t-1", at=clock.now(), replaced_by="t-2")
        await uow.commit()
    async with new_uow() as uow:
        second = await uow.refresh_tokens.mark_used("t-1", at=clock.now(), replaced_by="t-3")
        stored = await uow.refresh_tokens.get("t-1")

    assert (first, second) == (True, False)
    assert stored is not None
    assert (stored.user_id, stored.used_at, stored.replaced_by) == (ada.id, clock.now(), "t-2")
    assert stored.issued_at == stored.expires_at == clock.now()


async def test_refresh_rotates_through_the_database(log_in, refresh, tokens, ada) -> None:
    pair = await log_in()

    renewed = await refresh(pair.refresh_token)

    assert tokens.verify(renewed.access_token, "access").user_id == ada.id
    newest = await refresh(renewed.refresh_token)
    with pytest.raises(Unauthorized, match="reused"):  # leaked: the family is revoked
        await refresh(pair.refresh_token)
    with pytest.raises(Unauthorized, match="revoked"):
        await refresh(newest.refresh_token)


async def test_of_two_concurrent_refreshes_only_one_wins(engine, log_in, refresh, ada) -> None:
    pair = await log_in()

    outcomes = await asyncio.gather(
        refresh(pair.refresh_token), refresh(pair.refresh_token), return_exceptions=True
    )

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["TokenPair", "Unauthorized"]
    async with engine.connect() as conn:
        rows = (await conn.execute(select(refresh_tokens))).mappings().all()
    assert len(rows) == 2  # the login's token and the winner's; the loser stored nothing


async def test_login_failures_issue_nothing_and_are_counted_per_name_and_account(
    engine, log_in, ada
) -> None:
    for login, password in [("Ada", "wrong password"), ("ghost", PASSWORD)]:
        with pytest.raises(Unauthorized, match=handlers.INVALID_LOGIN):
            await log_in(login, password)

    async with engine.connect() as conn:
        assert (await conn.execute(select(refresh_tokens))).all() == []
        counted = (
            await conn.execute(select(login_failures.c.login_key, login_failures.c.failures))
        ).all()
        accounts = account_login_failures.c
        per_account = (await conn.execute(select(accounts.user_id, accounts.failures))).all()
    assert sorted(tuple(row) for row in counted) == [("ada", 1), ("ghost", 1)]
    assert [tuple(row) for row in per_account] == [(ada.id, 1)]


async def test_an_outdated_hash_is_upgraded_on_log_in(engine, log_in, ada) -> None:
    stronger = Argon2Hasher(time_cost=2, memory_cost=16)

    await log_in("ada@example.com", with_hasher=stronger)

    async with engine.connect() as conn:
        row = (await conn.execute(select(users))).mappings().one()
    assert "$m=16,t=2," in row["password_hash"]
    assert row["version"] == 1  # no event: a rehash is not a business fact
    assert stronger.verify(row["password_hash"], PASSWORD)


async def test_me_shows_a_new_trader_at_level_one_with_the_default_leverage(engine, ada) -> None:
    view = await views.me(engine, ada.id, Decimal(10))

    assert view == views.MeView(
        user_id=ada.id,
        username="Ada",
        email="ada@example.com",
        level=1,
        xp=0,
        max_leverage=Decimal(10),
        kyc=False,
        role="trader",
    )
    assert await views.me(engine, "nobody", Decimal(10)) is None


async def test_me_reads_progress_from_the_read_model(engine, clock, ada) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            insert(progress).values(
                user_id=ada.id,
                xp=450,
                level=3,
                max_leverage=Decimal("20.5"),
                updated_at=clock.now(),
            )
        )

    view = await views.me(engine, ada.id, Decimal(10))

    assert view is not None
    assert (view.xp, view.level, view.max_leverage) == (450, 3, Decimal("20.5"))
