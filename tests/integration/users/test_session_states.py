"""The users' session states read in one batch, as the WebSocket hub's check does each
second, against SQLite and PostgreSQL."""

from __future__ import annotations

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
