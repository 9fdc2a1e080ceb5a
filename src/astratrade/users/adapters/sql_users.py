"""The SQL user repository: rows of users_users, mapped to and from the User aggregate."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import ColumnElement, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from astratrade.infrastructure.unit_of_work import SqlUnitOfWork
from astratrade.shared.errors import Conflict
from astratrade.users.adapters.tables import users
from astratrade.users.domain import rules
from astratrade.users.domain.model import Role, User
from astratrade.users.ports import TakenField


class SqlUserRepository:
    """Tracks every user it hands out, so their events and changes commit together."""

    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow
        self._new: list[User] = []
        # Each loaded user with its row as read, to write back only what changed.
        self._loaded: dict[str, tuple[User, dict[str, Any]]] = {}
        self._flush_registered = False

    @property
    def new_users(self) -> list[User]:
        return list(self._new)

    def add(self, user: User) -> None:
        self._new.append(user)
        self._uow.track(user)
        self._register_flush()

    async def get(self, user_id: str) -> User | None:
        return await self._one(users.c.id == user_id)

    async def by_login(self, login: str) -> User | None:
        if "@" in login:
            return await self._one(users.c.email == rules.normalize_email(login))
        return await self._one(users.c.username_key == rules.username_key(login))

    async def exists(self, email: str, username: str) -> TakenField | None:
        email, key = rules.normalize_email(email), rules.username_key(username)
        conn = await self._uow.connection()
        rows = await conn.execute(
            select(users.c.email, users.c.username_key).where(
                or_(users.c.email == email, users.c.username_key == key)
            )
        )
        found = rows.all()
        # The username first: a sign-up's answer must depend on it alone, never on the email.
        if any(row.username_key == key for row in found):
            return "username"
        return "email" if found else None

    async def _one(self, condition: ColumnElement[bool]) -> User | None:
        conn = await self._uow.connection()
        row = (await conn.execute(select(users).where(condition))).mappings().one_or_none()
        if row is None:
            return None
        if row["id"] in self._loaded:
            return self._loaded[row["id"]][0]  # one object per user within a unit of work
        user = User(
            user_id=row["id"],
            email=row["email"],
            username=row["username"],
            password_hash=row["password_hash"],
            created_at=row["created_at"],
            role=cast(Role, row["role"]),
            kyc=row["kyc"],
            version=row["version"],
            session_epoch=row["session_epoch"],
            suspended=row["suspended"],
        )
        self._loaded[user.id] = (user, _row(user))
        self._uow.track(user)
        self._register_flush()
        return user

    def _register_flush(self) -> None:
        if not self._flush_registered:
            self._uow.on_commit(self._flush)
            self._flush_registered = True

    async def _flush(self, conn: AsyncConnection) -> None:
        # Runs after the unit of work numbered the events, so `version` is the new one.
        if self._new:
            await conn.execute(insert(users), [_row(user) for user in self._new])
        for user, before in self._loaded.values():
            after = _row(user)
            if after == before:
                continue
            result = await conn.execute(
                update(users)
                .where(users.c.id == user.id, users.c.version == before["version"])
                .values({key: value for key, value in after.items() if value != before[key]})
            )
            if result.rowcount != 1:
                raise Conflict(f"user {user.username!r} was changed meanwhile; try again")


def _row(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "username": user.username,
        "username_key": user.username_key,
        "password_hash": user.password_hash,
        "role": user.role,
        "kyc": user.kyc,
        "created_at": user.created_at,
        "version": user.version,
        "session_epoch": user.session_epoch,
        "suspended": user.suspended,
    }
