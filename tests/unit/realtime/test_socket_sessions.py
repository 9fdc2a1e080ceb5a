"""Sockets last as long as their sessions: a sweep closes (4001, saying why) the sockets
whose token expired or whose session ended, reading every connected user's state in one
batch; a client's messages are checked through the guard's moment-old copy, so however
many it sends, its user's state is read once a second at most."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection
from datetime import UTC, datetime, timedelta

import pytest

from astratrade.entrypoints.realtime import socket_sessions
from astratrade.entrypoints.realtime.hub import NOT_SIGNED_IN, Connection, Hub
from astratrade.entrypoints.realtime.socket_sessions import SocketSessions
from astratrade.infrastructure.tokens import Claims
from astratrade.shared.clock import ManualClock
from astratrade.users.adapters.sessions import SessionGuard
from astratrade.users.ports import SessionState

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
FIFTEEN_MINUTES = timedelta(minutes=15)


class States:
    """The users' session states, counting how they are read."""

    def __init__(self, **states: SessionState) -> None:
        self.states = states
        self.single_reads = 0
        self.batches: list[set[str]] = []
        self.down = False

    async def read(self, user_id: str) -> SessionState | None:
        self.single_reads += 1
        return self.states.get(user_id)

    async def read_many(self, user_ids: Collection[str]) -> dict[str, SessionState]:
        if self.down:
            raise ConnectionError("users service unreachable")
        self.batches.append(set(user_ids))
        return {u: self.states[u] for u in user_ids if u in self.states}


async def _send(_text: str) -> None:
    return None


def socket(hub: Hub, user: str, epoch: int = 0, expires_at: datetime | None = None) -> Connection:
    claims = Claims(
        user,
        "trader",
        "access",
        f"token-{user}-{len(hub.connections)}",
        expires_at or START + FIFTEEN_MINUTES,
        epoch,
    )
    connection = Connection(_send, user, None, claims)
    hub.join(connection)
    return connection


def closed(connection: Connection) -> tuple[int | None, str]:
    return connection.closing, connection.closing_reason


class Setup:
    def __init__(self, **states: SessionState) -> None:
        self.hub = Hub()
        self.states = States(**states)
        self.now = [0.0]
        self.guard = SessionGuard(self.states, monotonic=lambda: self.now[0])
        self.clock = ManualClock(START)
        self.sessions = SocketSessions(self.hub, self.guard, self.clock)


async def test_a_sweep_closes_the_sockets_whose_session_ended_and_says_why() -> None:
    setup = Setup(
        ada=SessionState(1, False),
        bob=SessionState(0, True),
        cyd=SessionState(2, False),
        eve=SessionState(0, False),
    )
    hub = setup.hub
    logged_out_everywhere = socket(hub, "ada", epoch=0)
    suspended = socket(hub, "bob")
    new_password_here = socket(hub, "cyd", epoch=2)  # the pair the change returned
    new_password_elsewhere = socket(hub, "cyd", epoch=1)
    gone = socket(hub, "dan")  # no such user any more
    expired = socket(hub, "eve", expires_at=START + timedelta(minutes=1))
    fine = socket(hub, "eve")
    setup.clock.advance(60)

    assert await setup.sessions.sweep() == 5

    (revoked,) = {closed(c) for c in (logged_out_everywhere, new_password_elsewhere, gone)}
    assert revoked == (NOT_SIGNED_IN, "token has been revoked")
    assert closed(suspended) == (NOT_SIGNED_IN, "this account is suspended")
    assert closed(expired) == (NOT_SIGNED_IN, "token has expired")
    assert closed(new_password_here) == closed(fine) == (None, "")
    assert setup.states.batches == [{"ada", "bob", "cyd", "dan", "eve"}]  # one read for all


async def test_a_sweep_reads_each_connected_user_once_whatever_their_sockets() -> None:
    setup = Setup(**{f"u{n}": SessionState(0, False) for n in range(200)})
    sockets = [socket(setup.hub, f"u{n % 200}") for n in range(1_000)]

    started = time.perf_counter()
    assert await setup.sessions.sweep() == 0
    took = time.perf_counter() - started

    assert [len(batch) for batch in setup.states.batches] == [200]
    assert setup.states.single_reads == 0
    assert all(c.closing is None for c in sockets)
    print(f"\nsweep of 1000 sockets of 200 users: {took * 1e6 / 1000:.2f} µs a socket")


async def test_a_client_s_messages_are_checked_without_a_read_each() -> None:
    setup = Setup(ada=SessionState(0, False))
    connection = socket(setup.hub, "ada")

    assert all([await setup.sessions.stands(connection) for _ in range(1_000)])
    assert setup.states.single_reads == 1  # then the guard's copy, for a second

    setup.states.states["ada"] = SessionState(1, False)  # logged out everywhere
    setup.now[0] += 1.5
    assert not await setup.sessions.stands(connection)
    assert closed(connection) == (NOT_SIGNED_IN, "token has been revoked")


async def test_a_client_s_message_after_expiry_closes_its_socket() -> None:
    setup = Setup(ada=SessionState(0, False))
    connection = socket(setup.hub, "ada")
    setup.clock.advance(FIFTEEN_MINUTES.total_seconds())

    assert not await setup.sessions.stands(connection)
    assert closed(connection) == (NOT_SIGNED_IN, "token has expired")


async def test_while_the_users_state_is_unreadable_sockets_stay_and_still_expire() -> None:
    setup = Setup(ada=SessionState(0, False))
    short = socket(setup.hub, "ada", expires_at=START + timedelta(seconds=30))
    long = socket(setup.hub, "ada")
    setup.states.down = True
    setup.clock.advance(30)

    with pytest.raises(ConnectionError):
        await setup.sessions.sweep()

    assert closed(short) == (NOT_SIGNED_IN, "token has expired")
    assert closed(long) == (None, "")


async def test_the_sockets_close_within_a_second_without_the_client_sending_anything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(socket_sessions, "CHECK_SECONDS", 0.01)
    setup = Setup(ada=SessionState(0, False))
    connection = socket(setup.hub, "ada")
    checks = asyncio.create_task(setup.sessions.run())
    try:
        await asyncio.sleep(0.05)
        assert connection.closing is None
        setup.states.down = True  # a failed check does not stop the checks
        await asyncio.sleep(0.05)
        setup.states.down = False
        setup.states.states["ada"] = SessionState(0, True)  # suspended
        for _ in range(100):
            if connection.closing is not None:
                break
            await asyncio.sleep(0.01)
    finally:
        checks.cancel()
    assert closed(connection) == (NOT_SIGNED_IN, "this account is suspended")


async def test_sockets_without_a_session_guard_still_close_at_expiry() -> None:
    hub, clock = Hub(), ManualClock(START)
    connection = socket(hub, "ada")
    clock.advance(FIFTEEN_MINUTES.total_seconds())

    assert await SocketSessions(hub, None, clock).sweep() == 1
    assert closed(connection) == (NOT_SIGNED_IN, "token has expired")
