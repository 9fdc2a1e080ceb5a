"""A socket lasts as long as the session it signed in with: when its access token expires,
or the session ends (logout everywhere, a new password, a suspension), it is closed with
4001 and the reason, whether or not the client sends anything.

Each second every signed-in socket is checked: expiry on the injected clock, and the
session through the same guard as every HTTP request, one read for all the connected
users (one query, or one call to the users service per thousand users); each message a
client sends is checked too, through the guard's moment-old copy (a read a second per user
at most, whatever the client sends). While the users' state cannot be read, sockets stay
open (the next second tries again) and still close at expiry."""

from __future__ import annotations

import asyncio
import logging

from astratrade.entrypoints.realtime.hub import NOT_SIGNED_IN, Connection, Hub
from astratrade.infrastructure.tokens import Claims
from astratrade.shared.clock import Clock
from astratrade.shared.errors import Unauthorized
from astratrade.users.adapters.sessions import SessionGuard

logger = logging.getLogger(__name__)

CHECK_SECONDS = 1.0
EXPIRED = "token has expired"


class SocketSessions:
    def __init__(self, hub: Hub, guard: SessionGuard | None, clock: Clock) -> None:
        self._hub = hub
        self._guard = guard  # None: nothing to revoke sessions (expiry still counts)
        self._clock = clock

    async def stands(self, connection: Connection) -> bool:
        """Check one socket's session now; closed (4001) when it ended."""
        session = connection.session
        if session is None or connection.closing is not None:
            return connection.closing is None
        why = EXPIRED if session.expires_at <= self._clock.now() else None
        if why is None and self._guard is not None:
            try:
                await self._guard.check(session)
            except Unauthorized as error:
                why = error.message
            except Exception:  # the users' state unreadable: the sweep tries again
                logger.warning("could not check a socket's session", exc_info=True)
        if why is not None:
            connection.close(NOT_SIGNED_IN, why)
        return why is None

    async def sweep(self) -> int:
        """Close every socket whose token expired or whose session ended; how many."""
        now = self._clock.now()
        checked: list[tuple[Connection, Claims]] = []
        closed = 0
        for connection in self._hub.connections:
            session = connection.session
            if session is None or connection.closing is not None:
                continue
            if session.expires_at <= now:
                connection.close(NOT_SIGNED_IN, EXPIRED)
                closed += 1
            else:
                checked.append((connection, session))
        if self._guard is None or not checked:
            return closed
        whys = await self._guard.ended([session for _, session in checked])
        for (connection, _), why in zip(checked, whys, strict=True):
            if why is not None:
                connection.close(NOT_SIGNED_IN, why)
                closed += 1
        return closed

    async def run(self) -> None:
        while True:
            await asyncio.sleep(CHECK_SECONDS)
            try:
                closed = await self.sweep()
            except Exception:  # e.g. the users service unreachable: next second again
                logger.warning("could not check the sockets' sessions", exc_info=True)
                continue
            if closed:
                logger.info("closed %d sockets whose session ended", closed)
