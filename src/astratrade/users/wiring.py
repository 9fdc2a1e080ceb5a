"""Registers the users' command handlers on the bus, each with a fresh unit of work."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.infrastructure.tokens import TokenCodec
from astratrade.shared.bus import EventPublisher, MessageBus
from astratrade.shared.clock import Clock
from astratrade.shared.ids import IdFactory
from astratrade.users import handlers
from astratrade.users.adapters.repository import SqlUsersUnitOfWork
from astratrade.users.domain.commands import (
    LogIn,
    PromoteUser,
    RefreshTokens,
    RegisterUser,
    SetKyc,
)
from astratrade.users.domain.model import User
from astratrade.users.handlers import TokenPair
from astratrade.users.ports import PasswordHasher


def wire(
    bus: MessageBus,
    *,
    engine: AsyncEngine,
    publisher: EventPublisher,
    clock: Clock,
    tokens: TokenCodec,
    hasher: PasswordHasher,
    ids: IdFactory,
    access_ttl: timedelta,
    refresh_ttl: timedelta,
) -> None:
    """Register RegisterUser, LogIn, RefreshTokens and PromoteUser on `bus`."""

    def uow() -> SqlUsersUnitOfWork:
        return SqlUsersUnitOfWork(engine, publisher, clock, ids)

    async def register(cmd: RegisterUser) -> User:
        return await handlers.register_user(cmd, uow(), hasher, clock, ids)

    async def log_in(cmd: LogIn) -> TokenPair:
        return await handlers.log_in(
            cmd, uow(), hasher, tokens, clock, ids, access_ttl, refresh_ttl
        )

    async def refresh(cmd: RefreshTokens) -> TokenPair:
        return await handlers.refresh_tokens(
            cmd, uow(), tokens, clock, ids, access_ttl, refresh_ttl
        )

    async def promote(cmd: PromoteUser) -> User:
        return await handlers.promote_user(cmd, uow())

    bus.register(RegisterUser, register)
    bus.register(LogIn, log_in)
    bus.register(RefreshTokens, refresh)
    bus.register(PromoteUser, promote)

    async def set_kyc(cmd: SetKyc) -> User:
        return await handlers.set_kyc(cmd, uow())

    bus.register(SetKyc, set_kyc)
