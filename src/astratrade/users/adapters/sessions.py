"""Whether an access token's session still stands, checked on every authenticated request:
the user exists, is not suspended, and the token carries their current session epoch.

Read from the users' own table in the users service (and embedded), over the users
service's internal route in the other services (their processes never read the users'
schema), and kept a moment per user, so a trader's requests cost one lookup a second at
most; a revocation in the users' process forgets the user at once, another process sees
it within `ttl`."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.infrastructure.tokens import Claims
from astratrade.shared.errors import Unauthorized
from astratrade.users.adapters.tables import users
from astratrade.users.ports import SessionState, SessionStates


class SqlSessionStates:
    def __init__(self, read_db: AsyncEngine) -> None:
        self._db = read_db

    async def read(self, user_id: str) -> SessionState | None:
        async with self._db.connect() as conn:
            row = (
                await conn.execute(
                    select(users.c.session_epoch, users.c.suspended).where(users.c.id == user_id)
                )
            ).first()
        return None if row is None else SessionState(int(row.session_epoch), bool(row.suspended))


class SessionGuard:
    def __init__(self, states: SessionStates, *, ttl: float = 1.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self.states = states  # the source, uncached (the users' internal route answers it)
        self._ttl = ttl
        self._monotonic = monotonic
        self._known: dict[str, tuple[float, SessionState]] = {}  # user -> (read at, state)
        # Revocations forgotten so far: a read begun before one may predate it, so it
        # answers the request that made it but is not kept for the next ones.
        self._forgets = 0

    async def check(self, claims: Claims) -> None:
        now = self._monotonic()
        known = self._known.get(claims.user_id)
        if known is None or now - known[0] > self._ttl:
            forgets = self._forgets
            state = await self.states.read(claims.user_id)
            if state is None:
                raise Unauthorized("token has been revoked")
            known = (now, state)
            if forgets == self._forgets:
                self._known[claims.user_id] = known
        state = known[1]
        if state.suspended:
            raise Unauthorized("this account is suspended")
        if claims.epoch < state.epoch:
            raise Unauthorized("token has been revoked")

    def forget(self, user_id: str) -> None:
        self._known.pop(user_id, None)
        self._forgets += 1
