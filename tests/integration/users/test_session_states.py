"""The users' session states read in one batch, as the WebSocket hub's check does each
second, against SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from astratrade.users import handlers
from astratrade.users.adapters.sessions import READ_BATCH, SqlSessionStates
from astratrade.users.domain.commands import LogOutEverywhere, RegisterUser, SuspendUser
from astratrade.users.ports import SessionState


def registration(name: str) -> RegisterUser:
    return RegisterUser(email=f"{name}@example.com", username=name, password="correct horse")


async def test_many_users_states_are_read_at_once_and_unknown_ones_left_out(
    engine, new_uow, hasher, clock, ids
) -> None:
    ada, bob, cy = [
        (await handlers.register_user(registration(name), new_uow(), hasher, clock, ids)).user_id
        for name in ("ada", "bob", "cyd")
    ]
    await handlers.log_out_everywhere(LogOutEverywhere(user_id=bob), new_uow(), clock)
    await handlers.suspend_user(SuspendUser(user_id=cy, suspended=True), new_uow(), clock)
    strangers = [f"nobody-{n}" for n in range(READ_BATCH + 500)]  # more than one query's worth

    states = await SqlSessionStates(engine).read_many([*strangers, ada, bob, cy])

    assert states == {
        ada: SessionState(0, False),
        bob: SessionState(1, False),
        cy: SessionState(1, True),
    }
    assert await SqlSessionStates(engine).read(bob) == SessionState(1, False)
    assert await SqlSessionStates(engine).read("nobody") is None


async def test_one_users_state_is_read_fresh_and_on_sqlite_beside_the_async_driver(
    engine, new_uow, hasher, clock, ids
) -> None:
    """On SQLite one user's state (every authenticated request's check) is read on the
    event loop, not through aiosqlite's thread; it sees what was committed just before."""
    ada = (await handlers.register_user(registration("ada"), new_uow(), hasher, clock, ids)).user_id
    states = SqlSessionStates(engine)
    assert await states.read(ada) == SessionState(0, False)
    through_driver: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        through_driver.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", note)
    try:
        await handlers.log_out_everywhere(LogOutEverywhere(user_id=ada), new_uow(), clock)
        through_driver.clear()
        assert await states.read(ada) == SessionState(1, False)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", note)
    assert bool(through_driver) is (engine.dialect.name != "sqlite")
