"""Whether an access token's session still stands, checked on every authenticated request
and, for open WebSockets, every second: the user exists, is not suspended, and the token
carries their current session epoch.

Read from the users' own table in the users service (and embedded), over the users
service's internal route in the other services (their processes never read the users'
schema), and kept a moment per user, so a trader's requests cost one lookup a second at
most (requests arriving together share it); a revocation in the users' process forgets
the user at once, another process sees it within `ttl`. The sockets' check reads every
connected user's state in one batch."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Collection, Iterable, Sequence

from sqlalchemy import Row, Select, select
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.infrastructure.db import inline_reads
from astratrade.infrastructure.tokens import Claims
from astratrade.shared.errors import Unauthorized
from astratrade.users.adapters.tables import users
from astratrade.users.ports import SessionState, SessionStates

READ_BATCH = 1_000  # users per query: well below every engine's limit of bound parameters


class SqlSessionStates:
    def __init__(self, read_db: AsyncEngine) -> None:
        self._db = read_db
        # On SQLite one user's state is read on the event loop (see db.inline_reads): a
        # trader who sends an order a second paid ~700 us of CPU on each for this read.
        self._inline = inline_reads(read_db)

    async def read(self, user_id: str) -> SessionState | None:
        if self._inline is not None:
            with self._inline.connect() as conn:
                return _states(conn.execute(_query([user_id]))).get(user_id)
        return (await self.read_many([user_id])).get(user_id)

    async def read_many(self, user_ids: Collection[str]) -> dict[str, SessionState]:
        wanted = list(user_ids)
        found: dict[str, SessionState] = {}
        async with self._db.connect() as conn:
            for start in range(0, len(wanted), READ_BATCH):
                found |= _states(await conn.execute(_query(wanted[start : start + READ_BATCH])))
        return found


def _query(user_ids: list[str]) -> Select[str, int, bool]:
    return select(users.c.id, users.c.session_epoch, users.c.suspended).where(
        users.c.id.in_(user_ids)
    )


def _states(rows: Iterable[Row[str, int, bool]]) -> dict[str, SessionState]:
    return {
        user_id: SessionState(int(epoch), bool(suspended)) for user_id, epoch, suspended in rows
    }


class SessionGuard:
    def __init__(
        self,
        states: SessionStates,
        *,
        ttl: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.states = states  # the source, uncached (the users' internal route answers it)
        self._ttl = ttl
        self._monotonic = monotonic
        self._known: dict[str, tuple[float, SessionState]] = {}  # user -> (read at, state)
        # Reads under way, by user, with the revocations forgotten when each began: the
        # requests (or sockets) of one user arriving together share one read.
        self._reading: dict[str, tuple[int, asyncio.Future[SessionState | None]]] = {}
        # Revocations forgotten so far: a read begun before one may predate it, so it
        # answers the request that made it but is not kept for the next ones.
        self._forgets = 0

    async def check(self, claims: Claims) -> None:
        now = self._monotonic()
        known = self._known.get(claims.user_id)
        if known is None or now - known[0] > self._ttl:
            forgets = self._forgets
            state = await self._read(claims.user_id, forgets)
            if state is None:
                raise Unauthorized(REVOKED)
            known = (now, state)
            if forgets == self._forgets:
                self._known[claims.user_id] = known
        why = why_ended(claims, known[1])
        if why is not None:
            raise Unauthorized(why)

    async def _read(self, user_id: str, forgets: int) -> SessionState | None:
        """The user's state, read once for every check that asks while the read is under
        way (one begun before a revocation was forgotten is not shared after it)."""
        reading = self._reading.get(user_id)
        if reading is not None and reading[0] == forgets:
            shared = reading[1]
            try:
                return await asyncio.shield(shared)
            except asyncio.CancelledError:
                if not shared.cancelled():
                    raise  # this check was cancelled, not the read it waited for
            # the read's own caller went away: read again, below
        shared = asyncio.get_running_loop().create_future()
        self._reading[user_id] = (forgets, shared)
        try:
            state = await self.states.read(user_id)
        except Exception as error:
            shared.set_exception(error)
            shared.exception()  # retrieved here: those sharing it get it raised
            raise
        except BaseException:
            shared.cancel()
            raise
        else:
            shared.set_result(state)
            return state
        finally:
            if self._reading.get(user_id, (0, None))[1] is shared:
                del self._reading[user_id]

    async def ended(self, sessions: Sequence[Claims]) -> list[str | None]:
        """Why each of `sessions` no longer stands (None: it stands), from their users'
        states read now in one batch (which `check` then knows too)."""
        user_ids = {claims.user_id for claims in sessions}
        if not user_ids:
            return []
        forgets = self._forgets
        states = await self.states.read_many(user_ids)
        now = self._monotonic()
        for user_id in user_ids if forgets == self._forgets else ():
            state = states.get(user_id)
            if state is None:
                self._known.pop(user_id, None)
            else:
                self._known[user_id] = (now, state)
        return [why_ended(claims, states.get(claims.user_id)) for claims in sessions]

    def forget(self, user_id: str) -> None:
        self._known.pop(user_id, None)
        self._forgets += 1


REVOKED = "token has been revoked"


def why_ended(claims: Claims, state: SessionState | None) -> str | None:
    """Why the token's session no longer stands (None: it stands)."""
    if state is None:  # no such user (any more)
        return REVOKED
    if state.suspended:
        return "this account is suspended"
    if claims.epoch < state.epoch:  # logout everywhere or a new password since it was issued
        return REVOKED
    return None
