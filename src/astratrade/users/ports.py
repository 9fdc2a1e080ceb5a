"""The ports the users use cases need: repositories, a unit of work, a password hasher."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from types import TracebackType
from typing import Literal, NamedTuple, Protocol, Self

from astratrade.users.domain.model import RefreshToken, User
from astratrade.users.domain.wallets import Challenge

TakenField = Literal["email", "username"]


class UserRepository(Protocol):
    def add(self, user: User) -> None:
        """Stage a new user; it is written when the unit of work commits."""
        ...

    async def get(self, user_id: str) -> User | None: ...

    async def by_login(self, login: str) -> User | None:
        """Find by email (when `login` has an '@') or by username, case-insensitively."""
        ...

    async def exists(self, email: str, username: str) -> TakenField | None:
        """Which of the two is already registered ("username" first), or None."""
        ...


class RefreshTokenRepository(Protocol):
    def add(
        self,
        *,
        token_id: str,
        user_id: str,
        issued_at: datetime,
        expires_at: datetime,
        family_id: str,
    ) -> None:
        """Stage a newly issued refresh token; it is written when the unit of work commits."""
        ...

    async def revoke_family(self, family_id: str, *, at: datetime) -> None: ...

    async def revoke_all(self, user_id: str, *, at: datetime) -> None: ...

    async def get(self, token_id: str) -> RefreshToken | None: ...

    async def mark_used(self, token_id: str, *, at: datetime, replaced_by: str) -> bool:
        """Spend a token now; False when it was already spent (a concurrent refresh won)."""
        ...


class WalletRepository(Protocol):
    async def add_challenge(self, challenge: Challenge) -> None: ...

    async def take_challenge(self, nonce: str, at: datetime) -> tuple[Challenge | None, bool]:
        """The challenge and whether it had been used; it counts as used from now on."""
        ...

    async def owner_of(self, address: str) -> str | None: ...

    def link(self, address: str, user_id: str, public_key: str, at: datetime) -> None: ...


class WalletSignatures(Protocol):
    async def verify(
        self, challenge: Challenge, address: int, public_key: int, signature: Sequence[int]
    ) -> bool:
        """Whether the account at `address` signed the challenge's typed data."""
        ...


class UsersUnitOfWork(Protocol):
    """One transaction. May be entered again after it exits; each entry starts afresh."""

    @property
    def users(self) -> UserRepository: ...

    @property
    def refresh_tokens(self) -> RefreshTokenRepository: ...
    @property
    def wallets(self) -> WalletRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...


class LoginFailures(Protocol):
    """Failed logins per login name (known or not) and per account (under whichever of its
    names); each call commits on its own."""

    async def locked_until(self, login_key: str, now: datetime) -> datetime | None: ...

    async def account_locked_until(self, user_id: str, now: datetime) -> datetime | None: ...

    async def failed(
        self, login_key: str, now: datetime, *, user_id: str | None = None
    ) -> datetime | None:
        """Count a failure against the name, and against the account when given; the time
        the name is now locked until, if it is."""
        ...

    async def cleared(self, login_key: str, *, user_id: str) -> None: ...


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool:
        """True when the password matches; False on mismatch or an unreadable hash."""
        ...

    def needs_rehash(self, password_hash: str) -> bool: ...


class SessionState(NamedTuple):
    """What every authenticated request is checked against: the epoch a token must carry
    (raised by logout everywhere and a new password) and whether the user is suspended."""

    epoch: int
    suspended: bool


class SessionStates(Protocol):
    async def read(self, user_id: str) -> SessionState | None:
        """The user's session state now; None when there is no such user."""
        ...

    async def read_many(self, user_ids: Collection[str]) -> dict[str, SessionState]:
        """The session states of these users now, in one go; unknown users are left out."""
        ...
