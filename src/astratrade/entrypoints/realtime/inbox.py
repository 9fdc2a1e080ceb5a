"""What a client sends on a socket the hub serves itself: answered one message at a time,
in order, by a task that exists only while messages wait (an idle socket has none)."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)

WAITING = 16  # messages a client may have waiting before its socket is not read for a while

Answer = Callable[[str | bytes], Awaitable[bool]]  # False: answer no more


class Inbox:
    def __init__(self, answer: Answer, read_on: Callable[[], None], failed: Callable[[], None]):
        self._answer = answer
        self._read_on = read_on  # the socket is read again
        self._failed = failed  # an answer raised: the socket is closed
        self._waiting: deque[str | bytes] | None = None  # made when a message comes
        self._task: asyncio.Task[None] | None = None
        self._stopped = False

    def received(self, message: str | bytes) -> bool:
        """Queue `message`; False when enough wait that the socket should not be read on
        until they are answered (as uvicorn does for an ASGI app that has not read)."""
        if self._stopped:
            return True
        if self._waiting is None:
            self._waiting = deque()
        self._waiting.append(message)
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._work(self._waiting))
        return len(self._waiting) < WAITING

    async def _work(self, waiting: deque[str | bytes]) -> None:
        try:
            while waiting and not self._stopped:
                if not await self._answer(waiting.popleft()):
                    self.stop()
        except Exception:  # as the app's task failing: the socket goes
            logger.exception("a WebSocket message could not be answered")
            self.stop()
            self._failed()
        finally:
            self._task = None
            if not self._stopped:
                self._waiting = None  # all answered: an idle socket keeps no queue
                self._read_on()

    def stop(self) -> None:
        """The socket went (or must): nothing more is answered."""
        self._stopped = True
        self._waiting = None
        task, self._task = self._task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
