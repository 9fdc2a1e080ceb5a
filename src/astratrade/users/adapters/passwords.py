"""Argon2id password hashing through argon2-cffi (its RFC 9106 defaults unless overridden)."""

from __future__ import annotations

import argon2
from argon2.exceptions import InvalidHashError, VerificationError


class Argon2Hasher:
    """Overriding the costs is for tests: real argon2id, a fraction of the work."""

    def __init__(
        self,
        *,
        time_cost: int | None = None,
        memory_cost: int | None = None,
        parallelism: int | None = None,
    ) -> None:
        defaults = argon2.PasswordHasher()
        memory = memory_cost or defaults.memory_cost
        # Argon2 needs 8 KiB of memory per lane: a small test memory cost implies fewer lanes.
        lanes = parallelism or min(defaults.parallelism, max(1, memory // 8))
        self._hasher = argon2.PasswordHasher(
            time_cost=time_cost or defaults.time_cost,
            memory_cost=memory,
            parallelism=lanes,
            type=argon2.Type.ID,
        )

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            # A mismatch, or a stored hash we cannot read: either way not this password.
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return False
