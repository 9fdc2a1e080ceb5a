"""Whether an access token's session still stands, checked on every authenticated request:
the user exists, is not suspended, and the token carries their current session epoch.

Read from the users table and kept a moment per user, so a trader's requests cost one lookup
a second at most; a revocation in this process forgets the user at once, another process
sees it within `ttl`."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.infrastructure.tokens import Claims
from astratrade.shared.errors import Unauthorized
from astratrade.users.adapters.tables import users


class SessionGuard:
    def __init__(self, read_db: AsyncEngine, *, ttl: float = 1.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self._db = read_db
        self._ttl = ttl
        self._monotonic = monotonic
        self._known: dict[str, tuple[float, int, bool]] = {}  # user -> (read at, epoch, susp.)

    async def check(self, claims: Claims) -> None:
        now = self._monotonic()
        known = self._known.get(claims.user_id)
        if known is None or now - known[0] > self._ttl:
            async with self._db.connect() as conn:
                row = (
                    await conn.execute(
                        select(users.c.session_epoch, users.c.suspended).where(
                            users.c.id == claims.user_id
                        )
                    )
                ).first()
            if row is None:
                raise Unauthorized("token has been revoked")
            known = (now, int(row.session_epoch), bool(row.suspended))
            self._known[claims.user_id] = known
        _, epoch, suspended = known
        if suspended:
            raise Unauthorized("this account is suspended")
        if claims.epoch < epoch:
            raise Unauthorized("token has been revoked")

    def forget(self, user_id: str) -> None:
        self._known.pop(user_id, None)
