"""The shards this process writes now, each with the fencing token of its lease.

Every account a command loads or opens must be in a held shard: another replica writes the
others. The token travels with the command's rows to the transaction that writes them,
where the lease is checked again (a replica that lost its lease meanwhile writes nothing)."""

from __future__ import annotations

from collections.abc import Callable

from astratrade.shared.errors import Unavailable
from astratrade.trading.domain.shards import Shards


class ShardElsewhere(Unavailable):
    """The account's shard is written by another trading replica (or by none, for the
    seconds a failover takes): nothing was done here, and the request may be sent again."""

    code = "shard_elsewhere"


class HeldShards:
    def __init__(self, shards: Shards) -> None:
        self.shards = shards
        self.tokens: dict[int, int] = {}  # shard -> the token of this process's lease

    def gate(self, shard: int) -> Callable[[], bool]:
        """Open while this process writes `shard` (its event consumer works only then)."""
        return lambda: shard in self.tokens

    def token_for(self, account_id: str) -> tuple[int, int]:
        """(shard, token) of the account's shard, if this process writes it."""
        shard = self.shards.of(account_id)
        token = self.tokens.get(shard)
        if token is None:
            raise ShardElsewhere(f"account {account_id} is written by another trading replica")
        return shard, token
