"""The SQL refresh-token repository: single use is enforced by a conditional update."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from astratrade.infrastructure.unit_of_work import SqlUnitOfWork
from astratrade.users.adapters.tables import refresh_tokens
from astratrade.users.domain.model import RefreshToken


class SqlRefreshTokenRepository:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow
        self._new: list[dict[str, Any]] = []
        self._flush_registered = False

    def add(
        self,
        *,
        token_id: str,
        user_id: str,
        issued_at: datetime,
        expires_at: datetime,
        family_id: str,
    ) -> None:
        self._new.append(
            {
                "token_id": token_id,
                "user_id": user_id,
                "issued_at": issued_at,
                "expires_at": expires_at,
                "family_id": family_id,
            }
        )
        if not self._flush_registered:
            self._uow.on_commit(self._flush)
            self._flush_registered = True

    async def get(self, token_id: str) -> RefreshToken | None:
        conn = await self._uow.connection()
        query = select(refresh_tokens).where(refresh_tokens.c.token_id == token_id)
        row = (await conn.execute(query)).mappings().one_or_none()
        return None if row is None else RefreshToken(**row)

    async def mark_used(self, token_id: str, *, at: datetime, replaced_by: str) -> bool:
        conn = await self._uow.connection()
        # Conditional on "not used yet": of two concurrent refreshes only one updates a row.
        result = await conn.execute(
            update(refresh_tokens)
            .where(refresh_tokens.c.token_id == token_id, refresh_tokens.c.used_at.is_(None))
            .values(used_at=at, replaced_by=replaced_by)
        )
        return result.rowcount == 1

    async def revoke_family(self, family_id: str, *, at: datetime) -> None:
        """Every token of one login's chain of rotations stops working."""
        await self._revoke(refresh_tokens.c.family_id == family_id, at)

    async def revoke_all(self, user_id: str, *, at: datetime) -> None:
        await self._revoke(refresh_tokens.c.user_id == user_id, at)

    async def _revoke(self, which: ColumnElement[bool], at: datetime) -> None:
        conn = await self._uow.connection()
        await conn.execute(
            update(refresh_tokens)
            .where(which, refresh_tokens.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )

    async def _flush(self, conn: AsyncConnection) -> None:
        if self._new:
            await conn.execute(insert(refresh_tokens), self._new)
