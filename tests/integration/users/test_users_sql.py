"""The users' SQL repositories and unit of work against SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from astratrade.infrastructure.event_store import event_log, outbox
from astratrade.shared.errors import Conflict
from astratrade.users import handlers
from astratrade.users.adapters.tables import users
from astratrade.users.domain.commands import PromoteUser, RegisterUser
from astratrade.users.domain.model import User

PASSWORD = "correct horse"


async def register(new_uow, hasher, clock, ids, email="ada@example.com", username="Ada") -> User:
    cmd = RegisterUser(email=email, username=username, password=PASSWORD)
    signed_up = await handlers.register_user(cmd, new_uow(), hasher, clock, ids)
    async with new_uow() as uow:
        stored = await uow.users.get(signed_up.user_id)
    assert stored is not None
    return stored


async def test_a_registered_user_reads_back_by_id_username_and_email(
    new_uow, hasher, clock, ids
) -> None:
    ada = await register(new_uow, hasher, clock, ids, email="Ada@Example.com")

    async with new_uow() as uow:
        by_id = await uow.users.get(ada.id)
        by_name = await uow.users.by_login("aDa")
        by_email = await uow.users.by_login("ADA@example.COM")
        assert await uow.users.exists("ada@EXAMPLE.com", "x") == "email"
        assert await uow.users.exists("x@y.zz", "ADA") == "username"
        assert await uow.users.exists("x@y.zz", "bob") is None
    assert by_id is by_name is by_email
    assert by_id is not None
    assert (by_id.email, by_id.username, by_id.role, by_id.kyc) == (
        "ada@example.com",
        "Ada",
        "trader",
        False,
    )
    assert (by_id.created_at, by_id.version) == (clock.now(), 1)
    assert hasher.verify(by_id.password_hash, PASSWORD)


async def test_the_event_is_logged_and_queued_in_the_same_commit(
    engine, new_uow, hasher, clock, ids, publisher
) -> None:
    ada = await register(new_uow, hasher, clock, ids)

    async with engine.connect() as conn:
        logged = (await conn.execute(select(event_log))).mappings().one()
        queued = (await conn.execute(select(outbox))).mappings().one()
    assert (logged["event_type"], logged["context"]) == ("UserRegistered", "users")
    assert (logged["aggregate_id"], logged["aggregate_version"]) == (ada.id, 1)
    assert logged["payload"] == {"user_id": ada.id, "username": "Ada", "email": "ada@example.com"}
    assert queued["event_id"] == logged["event_id"]
    assert [e.payload["user_id"] for e in publisher.envelopes] == [ada.id]


async def test_a_failing_event_append_leaves_no_user_behind(
    engine, new_uow, hasher, clock, ids
) -> None:
    async with engine.begin() as conn:  # occupy the event key the registration will need
        await conn.execute(
            insert(event_log).values(
                event_id="squatter",
                event_type="X",
                event_version=1,
                context="users",
                aggregate_id="id-00000001",
                aggregate_version=1,
                occurred_at=clock.now(),
                payload={},
            )
        )

    with pytest.raises(Conflict):
        await register(new_uow, hasher, clock, ids)

    async with engine.connect() as conn:
        assert (await conn.execute(select(users))).all() == []


@pytest.mark.parametrize(
    ("email", "username", "field"),
    [("ADA@example.com", "bob", "email"), ("bob@example.com", "aDA", "username")],
)
async def test_the_database_enforces_unique_email_and_username(
    new_uow, hasher, clock, ids, email, username, field
) -> None:
    await register(new_uow, hasher, clock, ids)

    async with new_uow() as uow:  # past the handler's check, as a racing request would be
        uow.users.add(
            User.register(
                user_id="racer",
                email=email,
                username=username,
                password_hash="h",
                created_at=clock.now(),
            )
        )
        with pytest.raises(Conflict) as caught:
            await uow.commit()
    assert caught.value.field == field


async def test_promote_writes_the_role_and_the_event_and_again_is_a_no_op(
    engine, new_uow, hasher, clock, ids
) -> None:
    ada = await register(new_uow, hasher, clock, ids)

    await handlers.promote_user(PromoteUser(username="ada"), new_uow())
    await handlers.promote_user(PromoteUser(username="ADA"), new_uow())

    async with engine.connect() as conn:
        row = (await conn.execute(select(users))).mappings().one()
        types = (await conn.execute(select(event_log.c.event_type))).scalars().all()
    assert (row["role"], row["version"]) == ("admin", 2)
    assert types == ["UserRegistered", "UserPromoted"]
    async with new_uow() as uow:
        assert (await uow.users.get(ada.id)).role == "admin"
