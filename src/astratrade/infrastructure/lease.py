"""A consumer group's lease: at most one consumer of a context applies events at a time.

Two consumers reading one group would apply an aggregate's events concurrently, out of
order. So the consumers of a context take turns: one holds a Redis lock with a time to
live and renews it while it works; the others stand by and take over once it lapses (the
holder died or lost Redis). redis-py's Lock does the locking."""

from __future__ import annotations

import asyncio
import logging
import uuid
from contextlib import suppress
from typing import Any

from redis.exceptions import LockError, RedisError

logger = logging.getLogger(__name__)


class Lease:
    def __init__(self, redis: Any, key: str, ttl_ms: int, holder: str) -> None:
        self._ttl_seconds = ttl_ms / 1000
        self._holder = holder
        self._lock = redis.lock(key, timeout=self._ttl_seconds, thread_local=False)
        self.lost = asyncio.Event()
        self._renewing: asyncio.Task[None] | None = None
        self._releasing = asyncio.Event()

    @property
    def retry_seconds(self) -> float:
        """How often a standby asks again."""
        return self._ttl_seconds / 4

    async def acquire(self) -> bool:
        """Take the lease if nobody holds it; then keep renewing it until released."""
        # The key's value names the holder (for operators), made unique per acquisition.
        token = f"{self._holder} {uuid.uuid4().hex}"
        if not await self._lock.acquire(blocking=False, token=token):
            return False
        self.lost.clear()
        self._releasing.clear()
        self._renewing = asyncio.create_task(self._renew(), name=f"lease {self._lock.name}")
        return True

    async def _renew(self) -> None:
        while True:
            with suppress(TimeoutError):
                await asyncio.wait_for(self._releasing.wait(), self._ttl_seconds / 3)
                return
            try:
                await self._lock.reacquire()
            except (LockError, RedisError):
                # Expired (a stall longer than its life) or Redis is gone: another consumer
                # may hold it now, so this one stops after the batch in hand.
                logger.warning("lease %s lost", self._lock.name)
                self.lost.set()
                return

    async def release(self) -> None:
        if self._renewing is not None:
            # Told, not cancelled: a renewal cancelled while Redis answers it left the
            # client waiting out its command timeout (10 s) on the release below.
            self._releasing.set()
            await self._renewing
            self._renewing = None
        with suppress(LockError, RedisError):  # expired already, or Redis is gone
            await self._lock.release()
