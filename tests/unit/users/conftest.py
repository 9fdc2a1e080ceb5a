"""In-memory fakes of the users ports, and fixtures wiring them to the real handlers."""

from __future__ import annotations

import copy
import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from astratrade.infrastructure.tokens import TokenCodec
from astratrade.shared.clock import ManualClock
from astratrade.shared.errors import Conflict
from astratrade.shared.ids import sequential_ids
from astratrade.users import handlers
from astratrade.users.adapters.passwords import Argon2Hasher
from astratrade.users.domain import rules
from astratrade.users.domain.model import RefreshToken, User

START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
ACCESS_TTL = timedelta(minutes=15)
REFRESH_TTL = timedelta(days=30)
SECRET = "unit-test-secret-of-at-least-32-bytes!"


class MemoryStore:
    """What a database would hold: committed users, refresh tokens and events."""

    def __init__(self) -> None:
        self.users: dict[str, User] = {}
        self.tokens: dict[str, RefreshToken] = {}
        self.events: list[Any] = []
        self.commits = 0


class FakeUserRepository:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self.seen: dict[str, User] = {}

    def add(self, user: User) -> None:
        self.seen[user.id] = user

    async def get(self, user_id: str) -> User | None:
        return self._load(self._store.users.get(user_id))

    async def by_login(self, login: str) -> User | None:
        if "@" in login:
            found = [
                u for u in self._store.users.values() if u.email == rules.normalize_email(login)
            ]
        else:
            key = rules.username_key(login)
            found = [u for u in self._store.users.values() if u.username_key == key]
        return self._load(found[0]) if found else None

    async def exists(self, email: str, username: str) -> str | None:
        email, key = rules.normalize_email(email), rules.username_key(username)
        stored = self._store.users.values()
        if any(user.username_key == key for user in stored):
            return "username"
        return "email" if any(user.email == email for user in stored) else None

    def _load(self, stored: User | None) -> User | None:
        if stored is None:
            return None
        # A copy, as a database row would be: changes count only once committed.
        return self.seen.setdefault(stored.id, copy.deepcopy(stored))


class FakeRefreshTokenRepository:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self.staged: dict[str, RefreshToken] = {}

    def add(
        self,
        *,
        token_id: str,
        user_id: str,
        issued_at: datetime,
        expires_at: datetime,
        family_id: str,
    ) -> None:
        self.staged[token_id] = RefreshToken(
            token_id=token_id,
            user_id=user_id,
            issued_at=issued_at,
            expires_at=expires_at,
            family_id=family_id,
        )

    async def revoke_family(self, family_id: str, *, at: datetime) -> None:
        self._revoke(lambda t: t.family_id == family_id, at)

    async def revoke_all(self, user_id: str, *, at: datetime) -> None:
        self._revoke(lambda t: t.user_id == user_id, at)

    def _revoke(self, which: Any, at: datetime) -> None:
        for token in [*self._store.tokens.values(), *self.staged.values()]:
            if which(token) and token.revoked_at is None:
                self.staged[token.token_id] = dataclasses.replace(token, revoked_at=at)

    async def get(self, token_id: str) -> RefreshToken | None:
        return self.staged.get(token_id) or self._store.tokens.get(token_id)

    async def mark_used(self, token_id: str, *, at: datetime, replaced_by: str) -> bool:
        token = await self.get(token_id)
        if token is None or token.used_at is not None:
            return False
        self.staged[token_id] = dataclasses.replace(token, used_at=at, replaced_by=replaced_by)
        return True


class FakeUsersUnitOfWork:
    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.users = FakeUserRepository(store)
        self.refresh_tokens = FakeRefreshTokenRepository(store)

    async def __aenter__(self) -> FakeUsersUnitOfWork:
        self.users = FakeUserRepository(self.store)
        self.refresh_tokens = FakeRefreshTokenRepository(self.store)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.users = FakeUserRepository(self.store)
        self.refresh_tokens = FakeRefreshTokenRepository(self.store)

    async def commit(self) -> None:
        for user in self.users.seen.values():
            clash = [
                other
                for other in self.store.users.values()
                if other.id != user.id
                and (other.email == user.email or other.username_key == user.username_key)
            ]
            if clash:
                raise Conflict(f"{user.username!r} clashes with {clash[0].username!r}")
        for user in self.users.seen.values():
            for event in user.pending_events:
                user.version += 1
                self.store.events.append(event)
            user.pending_events.clear()
            self.store.users[user.id] = copy.deepcopy(user)
        self.store.tokens.update(self.refresh_tokens.staged)
        self.store.commits += 1


class MemoryLoginFailures:
    """Failed logins per login name and per account, as SqlLoginFailures keeps them."""

    def __init__(self) -> None:
        self.counts: dict[str, tuple[int, datetime, datetime | None]] = {}
        self.accounts: dict[str, tuple[int, datetime, datetime | None]] = {}

    async def locked_until(self, login_key: str, now: datetime) -> datetime | None:
        return _locked_until(self.counts, login_key, now)

    async def account_locked_until(self, user_id: str, now: datetime) -> datetime | None:
        return _locked_until(self.accounts, user_id, now)

    async def failed(
        self, login_key: str, now: datetime, *, user_id: str | None = None
    ) -> datetime | None:
        if user_id is not None:
            _count(self.accounts, user_id, now)
        return _count(self.counts, login_key, now)

    async def cleared(self, login_key: str, *, user_id: str) -> None:
        self.counts.pop(login_key, None)
        self.accounts.pop(user_id, None)


Counts = dict[str, tuple[int, datetime, datetime | None]]


def _locked_until(counts: Counts, key: str, now: datetime) -> datetime | None:
    _, _, until = counts.get(key, (0, now, None))
    return until if until is not None and until > now else None


def _count(counts: Counts, key: str, now: datetime) -> datetime | None:
    count, last, _ = counts.get(key, (0, now, None))
    count = (count if now - last < rules.FAILURE_MEMORY else 0) + 1
    lock = rules.lock_for(count)
    until = now + lock if lock is not None else None
    counts[key] = (count, now, until)
    return until


class Users:
    """The users use cases over the fakes, as the bus would call them."""

    def __init__(self, clock: ManualClock, tokens: TokenCodec) -> None:
        self.store = MemoryStore()
        self.uow = FakeUsersUnitOfWork(self.store)
        self.hasher = Argon2Hasher(time_cost=1, memory_cost=8)
        self.clock = clock
        self.tokens = tokens
        self.ids = sequential_ids("u")
        self.access_ttl = ACCESS_TTL
        self.refresh_ttl = REFRESH_TTL
        self.failures = MemoryLoginFailures()

    async def register(self, cmd: Any) -> handlers.SignUp:
        return await handlers.register_user(cmd, self.uow, self.hasher, self.clock, self.ids)

    async def log_in(self, cmd: Any) -> handlers.TokenPair:
        return await handlers.log_in(
            cmd,
            self.uow,
            self.hasher,
            self.tokens,
            self.clock,
            self.ids,
            *self._ttls,
            self.failures,
        )

    async def refresh(self, cmd: Any) -> handlers.TokenPair:
        return await handlers.refresh_tokens(
            cmd, self.uow, self.tokens, self.clock, self.ids, *self._ttls
        )

    @property
    def _ttls(self) -> tuple[timedelta, timedelta]:
        return self.access_ttl, self.refresh_ttl

    async def promote(self, cmd: Any) -> User:
        return await handlers.promote_user(cmd, self.uow)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def tokens(clock: ManualClock) -> TokenCodec:
    return TokenCodec(SECRET, "astratrade", clock)


@pytest.fixture
def users(clock: ManualClock, tokens: TokenCodec) -> Users:
    return Users(clock, tokens)
