"""A replica's leases on PostgreSQL: renewed, balanced across the live replicas, and
given up on this process's own clock before the database would let another replica in.

Every `renew_every` (a third of the ttl) one round, on a task of its own:
1. one transaction: the heartbeat and the renewal (same now(), so a replica counts as
   live exactly as long as its leases last), and the other live replicas' names;
2. release the shards above this replica's fair share (on_lost first), so a newcomer
   finds some free;
3. acquire free or expired shards up to the share (on_acquired after the commit).

Lost means: a renewal that found the lease changed, or no renewal for ttl - margin by the
monotonic clock. A timer per lease fires then, even while a round hangs on the database,
so the writer stops before the lease can expire in the database and be taken. The
fence (tables.fence) does not depend on any of this being on time: it is the guarantee;
the timers only stop a writer early instead of having its commits refused."""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from dataclasses import dataclass

from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.infrastructure.shard_leases import statements
from astratrade.infrastructure.shard_leases.placement import Placement
from astratrade.infrastructure.shard_leases.port import (
    OnAcquired,
    OnLost,
    ignore_acquired,
    ignore_lost,
)
from astratrade.infrastructure.shard_leases.tables import LeaseLost, fence

logger = logging.getLogger(__name__)

# A dead replica's leases expire within 6 s of its last renewal and a survivor's next
# round (every 2 s) takes them: within 8 s of the death.
DEFAULT_TTL_SECONDS = 6.0


def fair_share(me: str, others: list[str], shards: int) -> int:
    """How many shards `me` should hold: the live replicas sorted by name, each gets
    shards // n, and the first shards % n one more. The shares add up to `shards`
    exactly (a ceil for everyone would leave a newcomer nothing: 4 shards held 2 and 2,
    a third replica's ceil(4/3) is 2 and nobody is above it)."""
    live = sorted({me, *others})
    count, rank = len(live), live.index(me)
    return shards // count + (1 if rank < shards % count else 0)


@dataclass
class _Lease:
    token: int
    deadline: float  # loop.time(): monotonic
    timer: asyncio.TimerHandle


class ShardLeases:
    """This replica's leases on `shards` shards of `scope`, on PostgreSQL.

    Give it an engine of its own (a pool of one or two): renewals must not queue behind
    the writer's connections."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        scope: str,
        shards: int,
        replica: str,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        on_acquired: OnAcquired = ignore_acquired,
        on_lost: OnLost = ignore_lost,
        address: str | None = None,
    ) -> None:
        if ttl_seconds <= 0:
            raise ValueError(f"the lease ttl must be positive, was {ttl_seconds}")
        self._engine = engine
        self._scope = scope
        self._shards = shards
        self.replica = replica
        self.address = address  # where the others reach this replica, with its heartbeat
        self.ttl_seconds = ttl_seconds
        self.renew_every = ttl_seconds / 3
        # Counted from before the renewal was sent (the database's now() is later), less a
        # margin for the two clocks' rates: the writer stops a sixth of the ttl early.
        self._valid_for = ttl_seconds - ttl_seconds / 6
        self._stall_limit_ms = max(1, int(self.renew_every * 1000))
        self._on_acquired = on_acquired
        self._on_lost = on_lost
        self._held: dict[int, _Lease] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Create the shards' rows if missing, run a first round, then keep renewing."""
        self._loop = asyncio.get_running_loop()
        async with self._engine.begin() as conn:
            await statements.ensure_rows(conn, self._scope, self._shards)
        await self._round()
        self._task = asyncio.create_task(self._run(), name=f"shard leases {self._scope}")
        self._task.add_done_callback(self._report_crash)

    async def stop(self) -> None:
        if self._task is None and not self._held:
            return  # never joined (its start failed): nothing to give up
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        given_up = self._tokens()
        for shard in given_up:
            self._lose(shard, "stopping", logging.INFO)
        try:
            async with self._engine.begin() as conn:
                await statements.release(conn, self._scope, self.replica, given_up)
                await statements.leave(conn, self._scope, self.replica)
        except (SQLAlchemyError, OSError) as error:  # they expire by themselves
            logger.warning("%s: leases not released on stop: %s", self._scope, error)

    def held(self) -> dict[int, int]:
        now = self._loop.time() if self._loop else 0.0
        return {shard: lease.token for shard, lease in self._held.items() if lease.deadline > now}

    async def placement(self) -> Placement:
        async with self._engine.connect() as conn:
            return await statements.placement(conn, self._scope, self._shards, self.ttl_seconds)

    def fence(self, conn: Connection, shard: int, token: int) -> None:
        # Reported lost here already: refused without asking the database.
        if self.held().get(shard) != token:
            raise LeaseLost(self._scope, shard, token, "this replica no longer holds it")
        fence(conn, self._scope, shard, token, stall_limit_ms=self._stall_limit_ms)

    # -- the rounds --------------------------------------------------------------------------

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        next_round = loop.time() + self.renew_every
        while True:
            await asyncio.sleep(max(0.0, next_round - loop.time()))
            next_round = loop.time() + self.renew_every
            try:
                # A connection that hangs (a partition) must not stop the rounds for good.
                async with asyncio.timeout(self.ttl_seconds):
                    await self._round()
            except (SQLAlchemyError, OSError, TimeoutError) as error:
                # The timers give the leases up if this lasts; the next round tries again.
                logger.warning("%s: lease round failed: %s", self._scope, error)

    async def _round(self) -> None:
        sent = self._clock()
        held = self._tokens()
        async with self._engine.begin() as conn:
            await statements.limit_statements(conn, self._stall_limit_ms)
            others = await statements.heartbeat(
                conn, self._scope, self.replica, self.ttl_seconds, self.address
            )
            renewed = await statements.renew(
                conn, self._scope, self.replica, self.ttl_seconds, held
            )
        for shard, token in held.items():
            if self._tokens().get(shard) != token:
                continue  # its timer gave it up while the renewal was on its way
            if shard in renewed:
                self._keep(shard, token, sent + self._valid_for)
            else:
                self._lose(shard, "its token changed: another replica took it")

        share = fair_share(self.replica, others, self._shards)
        extra = sorted(self._held)[share:]
        if extra:
            await self._release(extra)
        if len(self._held) < share:
            await self._acquire(share - len(self._held))

    async def _release(self, shards: list[int]) -> None:
        leases = {shard: self._held[shard].token for shard in shards}
        for shard in shards:  # the writer stops first; a commit in flight finishes first
            self._lose(shard, "released to another replica", logging.INFO)
        async with self._engine.begin() as conn:
            await statements.limit_statements(conn, self._stall_limit_ms)
            await statements.release(conn, self._scope, self.replica, leases)

    async def _acquire(self, wanted: int) -> None:
        sent = self._clock()
        async with self._engine.begin() as conn:
            await statements.limit_statements(conn, self._stall_limit_ms)
            acquired = await statements.acquire(
                conn,
                self._scope,
                self.replica,
                self.ttl_seconds,
                shards=self._shards,
                held=self._tokens(),
                wanted=wanted,
            )
        # Committed: the state a writer loads from now on includes every earlier holder's.
        for shard, token in sorted(acquired.items()):
            if self._keep(shard, token, sent + self._valid_for):
                logger.info("%s shard %d acquired (token %d)", self._scope, shard, token)
                self._on_acquired(shard, token)

    def _report_crash(self, task: asyncio.Task[None]) -> None:
        # A listener that raised, say: the timers still give every lease up, but say why
        # this replica stopped taking shards.
        if not task.cancelled() and task.exception() is not None:
            logger.error("%s: the leases stopped", self._scope, exc_info=task.exception())

    # -- one lease ---------------------------------------------------------------------------

    def _keep(self, shard: int, token: int, deadline: float) -> bool:
        """Hold the lease until `deadline`; False if that has passed already (the answer
        came too late: the process was paused, say)."""
        previous = self._held.pop(shard, None)
        if previous is not None:
            previous.timer.cancel()
        if deadline <= self._clock():
            if previous is not None:
                logger.warning("%s shard %d lost (renewed too late)", self._scope, shard)
                self._on_lost(shard)
            return False
        timer = self._event_loop().call_at(deadline, self._expire, shard, token)
        self._held[shard] = _Lease(token, deadline, timer)
        return True

    def _expire(self, shard: int, token: int) -> None:
        if self._tokens().get(shard) == token:
            self._lose(shard, "not renewed in time")

    def _lose(self, shard: int, why: str, level: int = logging.WARNING) -> None:
        lease = self._held.pop(shard)
        lease.timer.cancel()
        logger.log(level, "%s shard %d lost (%s)", self._scope, shard, why)
        self._on_lost(shard)

    def _tokens(self) -> dict[int, int]:
        return {shard: lease.token for shard, lease in self._held.items()}

    def _event_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            raise RuntimeError("ShardLeases.start() first")
        return self._loop

    def _clock(self) -> float:
        return self._event_loop().time()
