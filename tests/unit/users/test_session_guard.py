"""The session guard's moment-old copy: a revocation in this process is never hidden by a
read that began before it."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from datetime import UTC, datetime

import pytest

from astratrade.infrastructure.tokens import Claims
from astratrade.shared.errors import Unauthorized
from astratrade.users.adapters.sessions import SessionGuard
from astratrade.users.ports import SessionState

TOKEN = Claims("ada", "trader", "access", "t1", datetime(2030, 1, 1, tzinfo=UTC), epoch=0)


class SlowStates:
    """Answers what the table held when the read began, once released."""

    def __init__(self) -> None:
        self.state = SessionState(0, False)
        self.release = asyncio.Event()
        self.reads = 0

    async def read(self, user_id: str) -> SessionState | None:
        self.reads += 1
        held = self.state
        await self.release.wait()
        return held

    async def read_many(self, user_ids: Collection[str]) -> dict[str, SessionState]:
        held = self.state
        await self.release.wait()
        return dict.fromkeys(user_ids, held)


@pytest.mark.parametrize("reader", ["a request", "the sockets' check"])
async def test_a_read_begun_before_a_revocation_is_not_kept(reader: str) -> None:
    states = SlowStates()
    guard = SessionGuard(states, monotonic=lambda: 0.0)  # a copy would be fresh for ever
    slow = asyncio.create_task(
        guard.check(TOKEN) if reader == "a request" else guard.ended([TOKEN])
    )
    await asyncio.sleep(0)
    states.state = SessionState(1, False)  # logout everywhere commits meanwhile...
    guard.forget("ada")  # ...and forgets the user here
    states.release.set()
    await slow  # it began before: the old state answers it

    with pytest.raises(Unauthorized, match="revoked"):
        await guard.check(TOKEN)


async def test_checks_of_one_user_arriving_together_share_one_read() -> None:
    states = SlowStates()
    guard = SessionGuard(states, monotonic=lambda: 0.0)
    checks = [asyncio.create_task(guard.check(TOKEN)) for _ in range(50)]
    await asyncio.sleep(0)
    states.release.set()
    await asyncio.gather(*checks)
    assert states.reads == 1
