"""Which shard an account belongs to: the same answer in every process, on every run."""

from __future__ import annotations

import zlib


def shard_of(account_id: str, shards: int) -> int:
    """The shard (0 to shards - 1) that owns `account_id`.

    CRC-32 of the id's UTF-8 bytes, not Python's hash(): that one is salted per process
    (PYTHONHASHSEED), so two replicas would disagree on who owns an account."""
    if shards < 1:
        raise ValueError(f"shards must be at least 1, was {shards}")
    return zlib.crc32(account_id.encode()) % shards
