"""Registers the users' command handlers on the bus, each with a fresh unit of work."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.infrastructure.tokens import TokenCodec
from astratrade.shared.bus import EventPublisher, MessageBus
from astratrade.shared.clock import Clock
from astratrade.shared.ids import IdFactory
from astratrade.users import handlers, wallet_handlers
from astratrade.users.adapters.repository import SqlUsersUnitOfWork
from astratrade.users.adapters.sessions import SessionGuard, SqlSessionStates
from astratrade.users.adapters.sql_login_failures import SqlLoginFailures
from astratrade.users.adapters.starknet_signatures import StarknetSignatures
from astratrade.users.domain.commands import (
    ChangePassword,
    LogIn,
    LogOut,
    LogOutEverywhere,
    PromoteUser,
    RefreshTokens,
    RegisterUser,
    RequestWalletChallenge,
    SetKyc,
    SuspendUser,
    VerifyWallet,
)
from astratrade.users.domain.model import User
from astratrade.users.domain.wallets import Challenge
from astratrade.users.handlers import SignUp, TokenPair
from astratrade.users.ports import PasswordHasher, SessionStates, WalletSignatures


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
    read_db: AsyncEngine,
    chain_id: str = "SN_MAIN",
    signatures: WalletSignatures | None = None,
    session_states: SessionStates | None = None,
) -> SessionGuard:
    """Register the users' commands on `bus`; return the guard every authenticated request
    passes (revocations here forget the user in it at once). It reads the users' table
    unless `session_states` reads them elsewhere (the users service, from other services)."""
    failures = SqlLoginFailures(engine)
    sessions = SessionGuard(session_states or SqlSessionStates(read_db))

    def uow() -> SqlUsersUnitOfWork:
        return SqlUsersUnitOfWork(engine, publisher, clock, ids)

    async def register(cmd: RegisterUser) -> SignUp:
        return await handlers.register_user(cmd, uow(), hasher, clock, ids)

    async def log_in(cmd: LogIn) -> TokenPair:
        return await handlers.log_in(
            cmd, uow(), hasher, tokens, clock, ids, access_ttl, refresh_ttl, failures
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

    async def log_out(cmd: LogOut) -> None:
        await handlers.log_out(cmd, uow(), tokens, clock)

    async def log_out_everywhere(cmd: LogOutEverywhere) -> User:
        user = await handlers.log_out_everywhere(cmd, uow(), clock)
        sessions.forget(user.id)
        return user

    async def change_password(cmd: ChangePassword) -> TokenPair:
        pair = await handlers.change_password(
            cmd, uow(), hasher, tokens, clock, ids, access_ttl, refresh_ttl
        )
        sessions.forget(cmd.user_id)
        return pair

    async def suspend(cmd: SuspendUser) -> User:
        user = await handlers.suspend_user(cmd, uow(), clock)
        sessions.forget(user.id)
        return user

    bus.register(LogOut, log_out)
    bus.register(LogOutEverywhere, log_out_everywhere)
    bus.register(ChangePassword, change_password)
    bus.register(SuspendUser, suspend)

    async def wallet_challenge(cmd: RequestWalletChallenge) -> Challenge:
        return await wallet_handlers.request_challenge(cmd, uow(), clock, chain_id)

    async def wallet_verify(cmd: VerifyWallet) -> wallet_handlers.WalletResult:
        checker = signatures or StarknetSignatures([], None)
        return await wallet_handlers.verify(cmd, uow(), checker, tokens, clock, ids,
                                            access_ttl, refresh_ttl)  # fmt: skip

    bus.register(RequestWalletChallenge, wallet_challenge)
    bus.register(VerifyWallet, wallet_verify)
    return sessions
