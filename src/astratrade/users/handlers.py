"""Use cases of the users context: register, log in, refresh tokens, promote."""

from __future__ import annotations

import asyncio
import secrets
import weakref
from dataclasses import dataclass
from datetime import timedelta

from astratrade.infrastructure.tokens import TokenCodec
from astratrade.shared.clock import Clock
from astratrade.shared.errors import Conflict, NotFound, Unauthorized
from astratrade.shared.ids import IdFactory
from astratrade.users.domain import rules
from astratrade.users.domain.commands import (
    LogIn,
    PromoteUser,
    RefreshTokens,
    RegisterUser,
    SetKyc,
)
from astratrade.users.domain.model import User
from astratrade.users.ports import PasswordHasher, UsersUnitOfWork

INVALID_LOGIN = "invalid username or password"

_dummy_hashes: weakref.WeakKeyDictionary[PasswordHasher, str] = weakref.WeakKeyDictionary()


@dataclass(frozen=True, kw_only=True)
class TokenPair:
    access_token: str
    refresh_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth 2 token type, not a secret
    expires_in: int  # seconds until the access token expires


async def register_user(
    cmd: RegisterUser, uow: UsersUnitOfWork, hasher: PasswordHasher, clock: Clock, ids: IdFactory
) -> User:
    """Create a trader; a taken email or username (case-insensitively) is a Conflict."""
    email = rules.check_email(cmd.email)
    rules.check_username(cmd.username)
    rules.check_password(cmd.password)
    # Hash before the transaction opens: argon2 takes tens of milliseconds and must not
    # hold a database lock or a pooled connection meanwhile.
    password_hash = await asyncio.to_thread(hasher.hash, cmd.password)
    async with uow:
        taken = await uow.users.exists(email, cmd.username)
        if taken == "email":
            raise Conflict(f"email {email!r} is already registered", field="email")
        if taken == "username":
            raise Conflict(f"username {cmd.username!r} is already taken", field="username")
        user = User.register(
            user_id=ids(),
            email=email,
            username=cmd.username,
            password_hash=password_hash,
            created_at=clock.now(),
        )
        uow.users.add(user)
        await uow.commit()
    return user


async def log_in(
    cmd: LogIn,
    uow: UsersUnitOfWork,
    hasher: PasswordHasher,
    tokens: TokenCodec,
    clock: Clock,
    ids: IdFactory,
    access_ttl: timedelta,
    refresh_ttl: timedelta,
) -> TokenPair:
    """Check the password and issue a token pair. Unknown user and wrong password fail
    alike, in message and in time (an unknown user still costs one hash verification)."""
    if len(cmd.password) > rules.PASSWORD_MAX_LENGTH:
        raise Unauthorized(INVALID_LOGIN)  # could never have been registered
    async with uow:
        found = await uow.users.by_login(cmd.login)
    # The lookup's transaction is already closed: the slow check below holds no lock.
    stored_hash = found.password_hash if found else await _dummy_hash(hasher)
    matches = await asyncio.to_thread(hasher.verify, stored_hash, cmd.password)
    if found is None or not matches:
        raise Unauthorized(INVALID_LOGIN)
    new_hash = None
    if hasher.needs_rehash(found.password_hash):
        new_hash = await asyncio.to_thread(hasher.hash, cmd.password)
    async with uow:
        user = await uow.users.get(found.id)
        if user is None or user.password_hash != found.password_hash:
            raise Unauthorized(INVALID_LOGIN)  # deleted or changed since the check
        if new_hash is not None:
            user.rehash_password(new_hash)
        pair, _ = _issue_pair(user, uow, tokens, clock, ids, access_ttl, refresh_ttl)
        await uow.commit()
    return pair


async def refresh_tokens(
    cmd: RefreshTokens,
    uow: UsersUnitOfWork,
    tokens: TokenCodec,
    clock: Clock,
    ids: IdFactory,
    access_ttl: timedelta,
    refresh_ttl: timedelta,
) -> TokenPair:
    """Exchange a refresh token for a new pair; each refresh token works exactly once."""
    claims = tokens.verify(cmd.refresh_token, "refresh")
    now = clock.now()
    async with uow:
        stored = await uow.refresh_tokens.get(claims.token_id)
        if stored is None or stored.user_id != claims.user_id:
            raise Unauthorized("refresh token is not recognised")
        problem = stored.problem_at(now)
        if problem is not None:
            raise Unauthorized(problem)
        user = await uow.users.get(stored.user_id)
        if user is None:
            raise Unauthorized("refresh token is not recognised")
        pair, new_token_id = _issue_pair(user, uow, tokens, clock, ids, access_ttl, refresh_ttl)
        if not await uow.refresh_tokens.mark_used(
            stored.token_id, at=now, replaced_by=new_token_id
        ):
            raise Unauthorized("refresh token has already been used")
        await uow.commit()
    return pair


async def promote_user(cmd: PromoteUser, uow: UsersUnitOfWork) -> User:
    """Make a user an admin (the operator CLI's `users promote USERNAME`)."""
    async with uow:
        user = await uow.users.by_login(cmd.username)
        if user is None:
            raise NotFound(f"no user named {cmd.username!r}")
        user.promote()
        await uow.commit()
    return user


async def set_kyc(cmd: SetKyc, uow: UsersUnitOfWork) -> User:
    """An admin records a user's identity check (live trading needs it)."""
    async with uow:
        user = await uow.users.get(cmd.user_id)
        if user is None:
            raise NotFound(f"user {cmd.user_id} not found")
        user.set_kyc(cmd.kyc)
        await uow.commit()
    return user


def _issue_pair(
    user: User,
    uow: UsersUnitOfWork,
    tokens: TokenCodec,
    clock: Clock,
    ids: IdFactory,
    access_ttl: timedelta,
    refresh_ttl: timedelta,
) -> tuple[TokenPair, str]:
    now = clock.now()
    refresh_id = ids()
    access = tokens.issue(
        user_id=user.id, role=user.role, kind="access", token_id=ids(), ttl=access_ttl
    )
    refresh = tokens.issue(
        user_id=user.id, role=user.role, kind="refresh", token_id=refresh_id, ttl=refresh_ttl
    )
    uow.refresh_tokens.add(
        token_id=refresh_id, user_id=user.id, issued_at=now, expires_at=now + refresh_ttl
    )
    pair = TokenPair(
        access_token=access, refresh_token=refresh, expires_in=int(access_ttl.total_seconds())
    )
    return pair, refresh_id


async def _dummy_hash(hasher: PasswordHasher) -> str:
    # Made by the same hasher, so verifying against it costs what a real user's check costs.
    cached = _dummy_hashes.get(hasher)
    if cached is None:
        cached = await asyncio.to_thread(hasher.hash, secrets.token_urlsafe(16))
        _dummy_hashes[hasher] = cached
    return cached
