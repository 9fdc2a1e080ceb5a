"""The users' module: sign-up, log-in and sessions, wallets, and the guard every
authenticated request passes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.config import Settings, items
from astratrade.infrastructure.tokens import TokenCodec
from astratrade.modules import Infrastructure, Module
from astratrade.shared.bus import CommandHandler, EventPublisher
from astratrade.shared.clock import Clock
from astratrade.shared.ids import IdFactory
from astratrade.users import handlers
from astratrade.users.adapters.passwords import Argon2Hasher
from astratrade.users.adapters.repository import SqlUsersUnitOfWork
from astratrade.users.adapters.sessions import SessionGuard, SqlSessionStates
from astratrade.users.adapters.sql_login_failures import SqlLoginFailures
from astratrade.users.adapters.starknet_signatures import RpcSignatures, StarknetSignatures
from astratrade.users.api import internal, router
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
from astratrade.users.projections import UserProgress

ROUTERS = (router,)
Commands = dict[type[Any], CommandHandler]


def wire(
    infra: Infrastructure,
    *,
    hasher: PasswordHasher | None = None,
    session_states: SessionStates | None = None,
) -> Module:
    """The guard every authenticated request passes (`provides["sessions"]`; revocations
    here forget the user in it at once) reads the users' table unless `session_states`
    reads them elsewhere (the users service, from other services)."""
    settings = infra.settings
    sessions = SessionGuard(session_states or SqlSessionStates(infra.read_db))
    users = _Users(
        engine=infra.db,
        publisher=infra.publisher,
        clock=infra.clock,
        tokens=infra.tokens,
        hasher=hasher or _hasher(settings),
        ids=infra.ids,
        access_ttl=timedelta(minutes=settings.access_token_minutes),
        refresh_ttl=timedelta(days=settings.refresh_token_days),
    )
    commands = {
        **_accounts(users, SqlLoginFailures(infra.db)),
        **_session_ends(users, sessions),
        **_wallets(users, settings.starknet_chain_id, wallet_signatures(settings)),
    }
    return Module(
        "users",
        routers=ROUTERS,
        internal_routers=(internal.router,),
        commands=commands,
        projections=(UserProgress(settings.default_unlocked_leverage),),
        provides={"sessions": sessions},
    )


def wallet_signatures(settings: Settings) -> StarknetSignatures:
    hashes = [int(h, 16) for h in items(settings.wallet_account_class_hashes)]
    node = RpcSignatures(settings.starknet_rpc_url) if settings.starknet_rpc_url else None
    return StarknetSignatures(hashes, node)


def _hasher(settings: Settings) -> PasswordHasher:
    return Argon2Hasher(
        time_cost=settings.password_hash_time_cost,
        memory_cost=settings.password_hash_memory_kib,
        parallelism=settings.password_hash_parallelism,
    )


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


def _accounts(u: _Users, failures: SqlLoginFailures) -> Commands:
    """Sign-up, log-in, refresh, and the admins' promotions and KYC."""

    async def register(cmd: RegisterUser) -> SignUp:
        return await handlers.register_user(cmd, u.uow(), u.hasher, u.clock, u.ids)

    async def log_in(cmd: LogIn) -> TokenPair:
        return await handlers.log_in(
            cmd, u.uow(), u.hasher, u.tokens, u.clock, u.ids, u.access_ttl, u.refresh_ttl, failures
        )

    async def refresh(cmd: RefreshTokens) -> TokenPair:
        return await handlers.refresh_tokens(
            cmd, u.uow(), u.tokens, u.clock, u.ids, u.access_ttl, u.refresh_ttl
        )

    async def promote(cmd: PromoteUser) -> User:
        return await handlers.promote_user(cmd, u.uow())

    async def set_kyc(cmd: SetKyc) -> User:
        return await handlers.set_kyc(cmd, u.uow())

    return {
        RegisterUser: register,
        LogIn: log_in,
        RefreshTokens: refresh,
        PromoteUser: promote,
        SetKyc: set_kyc,
    }


def _session_ends(u: _Users, sessions: SessionGuard) -> Commands:
    """Logouts, password changes and suspensions; the ones that end every session forget
    the user in the guard at once."""

    async def log_out(cmd: LogOut) -> None:
        await handlers.log_out(cmd, u.uow(), u.tokens, u.clock)

    async def log_out_everywhere(cmd: LogOutEverywhere) -> User:
        user = await handlers.log_out_everywhere(cmd, u.uow(), u.clock)
        sessions.forget(user.id)
        return user

    async def change_password(cmd: ChangePassword) -> TokenPair:
        pair = await handlers.change_password(
            cmd, u.uow(), u.hasher, u.tokens, u.clock, u.ids, u.access_ttl, u.refresh_ttl
        )
        sessions.forget(cmd.user_id)
        return pair

    async def suspend(cmd: SuspendUser) -> User:
        user = await handlers.suspend_user(cmd, u.uow(), u.clock)
        sessions.forget(user.id)
        return user

    return {
        LogOut: log_out,
        LogOutEverywhere: log_out_everywhere,
        ChangePassword: change_password,
        SuspendUser: suspend,
    }


def _wallets(u: _Users, chain_id: str, signatures: WalletSignatures) -> Commands:
    async def wallet_challenge(cmd: RequestWalletChallenge) -> Challenge:
        return await wallets.request_challenge(cmd, u.uow(), u.clock, chain_id)

    async def wallet_verify(cmd: VerifyWallet) -> wallets.WalletResult:
        return await wallets.verify(
            cmd, u.uow(), signatures, u.tokens, u.clock, u.ids, u.access_ttl, u.refresh_ttl
        )

    return {RequestWalletChallenge: wallet_challenge, VerifyWallet: wallet_verify}
