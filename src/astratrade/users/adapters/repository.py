"""The users unit of work: a SqlUnitOfWork with the users' SQL repositories on it."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.infrastructure.unit_of_work import SqlUnitOfWork
from astratrade.shared.bus import EventPublisher
from astratrade.shared.clock import Clock
from astratrade.shared.errors import Conflict
from astratrade.shared.ids import IdFactory, new_id
from astratrade.users.adapters.sql_refresh_tokens import SqlRefreshTokenRepository
from astratrade.users.adapters.sql_users import SqlUserRepository
from astratrade.users.adapters.sql_wallets import SqlWalletRepository

__all__ = ["SqlRefreshTokenRepository", "SqlUserRepository", "SqlUsersUnitOfWork"]


class SqlUsersUnitOfWork:
    """Each `async with` opens a fresh transaction with fresh repositories."""

    def __init__(
        self,
        engine: AsyncEngine,
        publisher: EventPublisher,
        clock: Clock,
        ids: IdFactory = new_id,
    ) -> None:
        self._engine = engine
        self._publisher = publisher
        self._clock = clock
        self._ids = ids
        self._sql: SqlUnitOfWork | None = None
        self._users: SqlUserRepository | None = None
        self._refresh_tokens: SqlRefreshTokenRepository | None = None
        self._wallets: SqlWalletRepository | None = None

    @property
    def users(self) -> SqlUserRepository:
        if self._users is None:
            raise RuntimeError("use the unit of work inside 'async with'")
        return self._users

    @property
    def refresh_tokens(self) -> SqlRefreshTokenRepository:
        if self._refresh_tokens is None:
            raise RuntimeError("use the unit of work inside 'async with'")
        return self._refresh_tokens

    @property
    def wallets(self) -> SqlWalletRepository:
        if self._wallets is None:
            raise RuntimeError("use the unit of work inside 'async with'")
        return self._wallets

    async def __aenter__(self) -> Self:
        self._sql = SqlUnitOfWork(self._engine, self._publisher, self._clock, self._ids)
        self._users = SqlUserRepository(self._sql)
        self._refresh_tokens = SqlRefreshTokenRepository(self._sql)
        self._wallets = SqlWalletRepository(self._sql)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        sql, self._sql, self._users, self._refresh_tokens = self._sql, None, None, None
        self._wallets = None
        if sql is not None:
            await sql.__aexit__(exc_type, exc, tb)

    async def commit(self) -> None:
        if self._sql is None:
            raise RuntimeError("use the unit of work inside 'async with'")
        try:
            await self._sql.commit()
        except IntegrityError as error:
            # A registration that raced another one past the `exists` check.
            raise self._conflict(str(error.orig)) from error

    def _conflict(self, detail: str) -> Conflict:
        new = self.users.new_users
        if "username_key" in detail:
            names = ", ".join(repr(user.username) for user in new)
            return Conflict(f"username {names} is already taken", field="username")
        if "email" in detail:
            emails = ", ".join(repr(user.email) for user in new)
            return Conflict(f"email {emails} is already registered", field="email")
        return Conflict("the user was changed by another request; try again")
