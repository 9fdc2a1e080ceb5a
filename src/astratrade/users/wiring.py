"""Registers the users' command handlers on the bus, each with a fresh unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.infrastructure.tokens import TokenCodec
from astratrade.shared.bus import EventPublisher, MessageBus
from astratrade.shared.clock import Clock
from astratrade.shared.ids import IdFactory
from astratrade.users import handlers
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
from astratrade.users.handlers import SignUp, TokenPair, wallets
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
    sessions = SessionGuard(session_states or SqlSessionStates(read_db))
    users = _Users(engine, publisher, clock, tokens, hasher, ids, access_ttl, refresh_ttl)
    _register_accounts(bus, users, SqlLoginFailures(engine))
    _register_session_ends(bus, users, sessions)
    _register_wallets(bus, users, chain_id, signatures or StarknetSignatures([], None))
    return sessions


@dataclass(frozen=True, slots=True)
class _Users:
    """What every users' use case is given: a fresh unit of work each, and the same tools."""

    engine: AsyncEngine
    publisher: EventPublisher
    clock: Clock
    tokens: TokenCodec
    hasher: PasswordHasher
    ids: IdFactory
    access_ttl: timedelta
    refresh_ttl: timedelta

    def uow(self) -> SqlUsersUnitOfWork:
        return SqlUsersUnitOfWork(self.engine, self.publisher, self.clock, self.ids)


def _register_accounts(bus: MessageBus, u: _Users, failures: SqlLoginFailures) -> None:
    """Sign-up, log-in, refresh, and the admins' promotions and KYC."""

    async def register(cmd: RegisterUser) -> SignUp:
        return await handlers.register_user(cmd, u.uow(), u.hasher, u.clock, u.ids)

    async def log_in(cmd: LogIn) -> TokenPair:
        return await handlers.log_in(cmd, u.uow(), u.hasher, u.tokens, u.clock, u.ids,
                                     u.access_ttl, u.refresh_ttl, failures)  # fmt: skip

    async def refresh(cmd: RefreshTokens) -> TokenPair:
        return await handlers.refresh_tokens(cmd, u.uow(), u.tokens, u.clock, u.ids,
                                             u.access_ttl, u.refresh_ttl)  # fmt: skip

    async def promote(cmd: PromoteUser) -> User:
        return await handlers.promote_user(cmd, u.uow())

    async def set_kyc(cmd: SetKyc) -> User:
        return await handlers.set_kyc(cmd, u.uow())

    bus.register(RegisterUser, register)
    bus.register(LogIn, log_in)
    bus.register(RefreshTokens, refresh)
    bus.register(PromoteUser, promote)
    bus.register(SetKyc, set_kyc)


def _register_session_ends(bus: MessageBus, u: _Users, sessions: SessionGuard) -> None:
    """Logouts, password changes and suspensions; the ones that end every session forget
    the user in the guard at once."""

    async def log_out(cmd: LogOut) -> None:
        await handlers.log_out(cmd, u.uow(), u.tokens, u.clock)

    async def log_out_everywhere(cmd: LogOutEverywhere) -> User:
        user = await handlers.log_out_everywhere(cmd, u.uow(), u.clock)
        sessions.forget(user.id)
        return user

    async def change_password(cmd: ChangePassword) -> TokenPair:
        pair = await handlers.change_password(cmd, u.uow(), u.hasher, u.tokens, u.clock, u.ids,
                                              u.access_ttl, u.refresh_ttl)  # fmt: skip
        sessions.forget(cmd.user_id)
        return pair

    async def suspend(cmd: SuspendUser) -> User:
        user = await handlers.suspend_user(cmd, u.uow(), u.clock)
        sessions.forget(user.id)
        return user

    bus.register(LogOut, log_out)
    bus.register(LogOutEverywhere, log_out_everywhere)
    bus.register(ChangePassword, change_password)
    bus.register(SuspendUser, suspend)


def _register_wallets(
    bus: MessageBus, u: _Users, chain_id: str, signatures: WalletSignatures
) -> None:
    async def wallet_challenge(cmd: RequestWalletChallenge) -> Challenge:
        return await wallets.request_challenge(cmd, u.uow(), u.clock, chain_id)

    async def wallet_verify(cmd: VerifyWallet) -> wallets.WalletResult:
        return await wallets.verify(cmd, u.uow(), signatures, u.tokens, u.clock, u.ids,
                                            u.access_ttl, u.refresh_ttl)  # fmt: skip

    bus.register(RequestWalletChallenge, wallet_challenge)
    bus.register(VerifyWallet, wallet_verify)
