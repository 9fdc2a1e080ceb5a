"""Group commit for trading's single writer.

A command is decided in memory under the engine's lock and its rows staged here; the lock
is then free for the next command while this one waits to be durable. One batch is
written at a time: the commands staged while it is written go together into the next
transaction, so under load a transaction carries many commands and its fixed cost (begin,
commit, a statement per table, the fsync) is shared. Each caller is answered only once its
batch has committed.

Commands build on the ones before them, so a batch that fails to commit fails every
command staged after it as well: they are answered 503 `unavailable`, the accounts they
touched are evicted from memory (the next use reloads what the database holds), and the
epoch moves on, so a command decided on the old state cannot stage."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlalchemy import Connection

from astratrade.infrastructure.writer import Writer
from astratrade.shared.bus import EventPublisher
from astratrade.shared.clock import Clock
from astratrade.shared.errors import Unavailable
from astratrade.trading.adapters.cache import AccountCache
from astratrade.trading.adapters.changes import Changes
from astratrade.trading.adapters.pending import PendingWrites
from astratrade.trading.domain.account import Account
from astratrade.trading.domain.orders import Order

logger = logging.getLogger(__name__)
Fence = Callable[[Connection, int, int], None]  # (conn, shard, token): LeaseLost if stale


@dataclass(eq=False)
class Staged:
    seq: int
    changes: Changes
    accounts: list[Account]  # evicted if its batch fails
    owners: list[str]  # whose leverage limits it set (forgotten if its batch fails)
    tokens: dict[int, int]  # the shards it writes, each with its lease's fencing token
    done: asyncio.Future[None]


class GroupCommit:
    def __init__(
        self,
        writer: Writer,
        publisher: EventPublisher,
        clock: Clock,
        cache: AccountCache,
        fence: Fence,
    ) -> None:
        self.pending = PendingWrites()
        self.epoch = 0  # moves on when a batch fails
        self.batches = 0  # transactions written (commands per batch = staged / batches)
        self.staged_count = 0
        self._writer = writer
        self._publisher = publisher
        self._clock = clock
        self._cache = cache
        self._fence = fence
        self._staged: list[Staged] = []
        self._task: asyncio.Task[None] | None = None

    def stage(
        self,
        changes: Changes,
        accounts: Iterable[Account],
        owners: Iterable[str],
        orders: list[Order],
        tokens: dict[int, int],
    ) -> asyncio.Future[None]:
        """Queue a decided command's rows for the next transaction; the future resolves
        once they are durable (or fails with Unavailable)."""
        self.staged_count += 1
        item = Staged(
            self.staged_count,
            changes,
            list(accounts),
            list(owners),
            tokens,
            asyncio.get_running_loop().create_future(),
        )
        self._staged.append(item)
        self.pending.add(item.seq, changes, orders)
        self._cache.open_units += 1  # not committed yet: readers read the database
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._write_batches(), name="trading-group-commit")
        return item.done

    async def settled(self) -> None:
        """Wait until everything staged so far is durable or failed."""
        while self._task is not None and not self._task.done():
            # asyncio.wait neither cancels the writing task nor swallows the caller's own
            # cancellation.
            await asyncio.wait({self._task})

    async def _write_batches(self) -> None:
        while self._staged:
            batch, self._staged = self._staged, []
            merged = Changes()
            for item in batch:
                merged.absorb(item.changes)
            leases = sorted({pair for item in batch for pair in item.tokens.items()})
            try:
                # Shielded: once handed to the writer the transaction runs to its end.
                write = partial(self._write, merged, leases, self._clock.now())
                await asyncio.shield(self._writer.run(write))
            except Exception:
                logger.exception("trading batch of %d commands failed to commit", len(batch))
                self._fail([*batch, *self._staged])
                return
            self.batches += 1
            self._durable(batch, merged)

    def _write(
        self, merged: Changes, leases: list[tuple[int, int]], at: datetime, conn: Connection
    ) -> None:
        """The leases first (in shard order): a replica that lost one writes nothing."""
        for shard, token in leases:
            self._fence(conn, shard, token)
        merged.write(conn, at)

    def _durable(self, batch: list[Staged], merged: Changes) -> None:
        for delivery in merged.deliveries:
            delivery.recorded = True
        self.pending.durable_through(batch[-1].seq)
        self._cache.open_units -= len(batch)
        self._publisher.committed(merged.envelopes)
        for item in batch:
            if not item.done.done():
                item.done.set_result(None)

    def _fail(self, failed: list[Staged]) -> None:
        """Memory back to what the database holds: evict whatever the failed commands
        touched; everything staged is failed, so nothing is pending any more."""
        self._staged = []
        self.epoch += 1
        self.pending.clear()
        for item in failed:
            for account in item.accounts:
                self._cache.evict(account.id)
            for owner in item.owners:
                self._cache.leverage_limits.pop(owner, None)
        self._cache.open_units -= len(failed)
        for item in failed:
            if not item.done.done():
                item.done.set_exception(Unavailable("trading could not commit; try again"))
                item.done.exception()  # retrieved: a caller that went away logs nothing
