"""Use cases of sessions: log in (with lockout), refresh tokens (with reuse detection),
log out, and the token pair a session holds."""

from __future__ import annotations

import asyncio
import logging
import math
import secrets
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from astratrade.infrastructure.tokens import TokenCodec
from astratrade.shared.clock import Clock
from astratrade.shared.errors import Forbidden, NotFound, TooManyRequests, Unauthorized
from astratrade.shared.ids import IdFactory
from astratrade.users.domain import rules
from astratrade.users.domain.commands import (
    LogIn,
    LogOut,
    LogOutEverywhere,
    RefreshTokens,
)
from astratrade.users.domain.model import User
from astratrade.users.ports import LoginFailures, PasswordHasher, UsersUnitOfWork

INVALID_LOGIN = "invalid username or password"
# Structured entries for every security event (logins failed and locked, logouts, password
# changes, suspensions, refresh-token reuse); the state changes are events in the audit log.
security = logging.getLogger("astratrade.security")

_dummy_hashes: weakref.WeakKeyDictionary[PasswordHasher, str] = weakref.WeakKeyDictionary()


@dataclass(frozen=True, kw_only=True)
class TokenPair:
    access_token: str
    refresh_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth 2 token type, not a secret
    expires_in: int  # seconds until the access token expires


async def log_in(
    cmd: LogIn,
    uow: UsersUnitOfWork,
    hasher: PasswordHasher,
    tokens: TokenCodec,
    clock: Clock,
    ids: IdFactory,
    access_ttl: timedelta,
    refresh_ttl: timedelta,
    failures: LoginFailures,
) -> TokenPair:
    """Check the password and issue a token pair. Unknown user and wrong password fail
    alike, in message and in time (an unknown user still costs one hash verification);
    repeated failures lock the login name, known or not, with growing backoff, and the
    account they were made against under whichever of its names."""
    key, now = rules.login_key(cmd.login), clock.now()
    locked = await failures.locked_until(key, now)
    if locked is not None:
        raise _locked(key, locked, now)
    if len(cmd.password) > rules.PASSWORD_MAX_LENGTH:
        raise Unauthorized(INVALID_LOGIN)  # could never have been registered
    async with uow:
        found = await uow.users.by_login(cmd.login)
    # The lookup's transaction is already closed: the slow check below holds no lock.
    stored_hash = found.password_hash if found else await _dummy_hash(hasher)
    matches = await asyncio.to_thread(hasher.verify, stored_hash, cmd.password)
    # Read for an unknown name too (a key no account has): the same work either way.
    account_locked = await failures.account_locked_until(found.id if found else "", now)
    if found is None or not matches or account_locked is not None:
        # An account locked under another of its names answers as an unknown name would
        # (401 after the same hash check, counted against this name only): a 429 would tell
        # that this name is that account's, and the right password must not get in.
        counted_account = found.id if found and account_locked is None else None
        until = await failures.failed(key, now, user_id=counted_account)
        security.info(
            "login failed",
            extra={"login": key, "locked_until": until, "account_locked_until": account_locked},
        )
        if until is not None:
            raise _locked(key, until, now)
        raise Unauthorized(INVALID_LOGIN)
    await failures.cleared(key, user_id=found.id)
    if found.suspended:
        security.info("login refused: suspended", extra={"user_id": found.id})
        raise Forbidden("this account is suspended")
    new_hash = None
    if hasher.needs_rehash(found.password_hash):
        new_hash = await asyncio.to_thread(hasher.hash, cmd.password)
    async with uow:
        user = await uow.users.get(found.id)
        if user is None or user.password_hash != found.password_hash:
            raise Unauthorized(INVALID_LOGIN)  # deleted or changed since the check
        if new_hash is not None:
            user.rehash_password(new_hash)
        pair, _ = issue_pair(user, uow, tokens, clock, ids, access_ttl, refresh_ttl)
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
    """Exchange a refresh token for a new pair; each refresh token works exactly once. A
    token used a second time means it leaked: its whole family (every rotation of that
    login) is revoked."""
    claims = tokens.verify(cmd.refresh_token, "refresh")
    now = clock.now()
    async with uow:
        stored = await uow.refresh_tokens.get(claims.token_id)
        if stored is None or stored.user_id != claims.user_id:
            raise Unauthorized("refresh token is not recognised")
        if stored.used_at is not None and stored.revoked_at is None and stored.family_id:
            await uow.refresh_tokens.revoke_family(stored.family_id, at=now)
            await uow.commit()
            security.warning(
                "refresh token reused: family revoked",
                extra={"user_id": stored.user_id, "family": stored.family_id},
            )
            raise Unauthorized("refresh token reused; this login's sessions were revoked")
        problem = stored.problem_at(now)
        if problem is not None:
            raise Unauthorized(problem)
        user = await uow.users.get(stored.user_id)
        if user is None or user.suspended or claims.epoch < user.session_epoch:
            raise Unauthorized("refresh token has been revoked")
        pair, new_token_id = issue_pair(
            user,
            uow,
            tokens,
            clock,
            ids,
            access_ttl,
            refresh_ttl,
            family_id=stored.family_id or stored.token_id,
        )
        if not await uow.refresh_tokens.mark_used(
            stored.token_id, at=now, replaced_by=new_token_id
        ):
            raise Unauthorized("refresh token has already been used")
        await uow.commit()
    return pair


async def log_out(cmd: LogOut, uow: UsersUnitOfWork, tokens: TokenCodec, clock: Clock) -> None:
    """End one login: its refresh token family stops working (its access token expires
    within its short life; log out everywhere stops those at once)."""
    claims = tokens.verify(cmd.refresh_token, "refresh")
    async with uow:
        stored = await uow.refresh_tokens.get(claims.token_id)
        if stored is None or stored.user_id != cmd.user_id:
            raise Unauthorized("refresh token is not recognised")
        await uow.refresh_tokens.revoke_family(stored.family_id or stored.token_id, at=clock.now())
        await uow.commit()
    security.info("logged out", extra={"user_id": cmd.user_id})


async def log_out_everywhere(cmd: LogOutEverywhere, uow: UsersUnitOfWork, clock: Clock) -> User:
    """Every token of the user, access and refresh, on every device, stops working."""
    return await end_sessions(
        cmd.user_id, uow, clock, lambda user: user.revoke_sessions("logout_all")
    )


async def end_sessions(
    user_id: str, uow: UsersUnitOfWork, clock: Clock, change: Callable[[User], None]
) -> User:
    """Apply `change`; if it moved the session epoch, revoke every refresh token too."""
    async with uow:
        user = await uow.users.get(user_id)
        if user is None:
            raise NotFound(f"user {user_id} not found")
        epoch = user.session_epoch
        change(user)
        if user.session_epoch != epoch:
            await uow.refresh_tokens.revoke_all(user.id, at=clock.now())
        await uow.commit()
    return user


def issue_pair(
    user: User,
    uow: UsersUnitOfWork,
    tokens: TokenCodec,
    clock: Clock,
    ids: IdFactory,
    access_ttl: timedelta,
    refresh_ttl: timedelta,
    *,
    family_id: str | None = None,
) -> tuple[TokenPair, str]:
    """A new pair at the user's session epoch; a new family unless rotating one."""
    now = clock.now()
    refresh_id = ids()
    epoch = user.session_epoch
    access = tokens.issue(
        user_id=user.id, role=user.role, kind="access", token_id=ids(), ttl=access_ttl, epoch=epoch
    )
    refresh = tokens.issue(
        user_id=user.id,
        role=user.role,
        kind="refresh",
        token_id=refresh_id,
        ttl=refresh_ttl,
        epoch=epoch,
    )
    uow.refresh_tokens.add(
        token_id=refresh_id,
        user_id=user.id,
        issued_at=now,
        expires_at=now + refresh_ttl,
        family_id=family_id or refresh_id,
    )
    pair = TokenPair(
        access_token=access, refresh_token=refresh, expires_in=int(access_ttl.total_seconds())
    )
    return pair, refresh_id


def _locked(key: str, until: datetime, now: datetime) -> TooManyRequests:
    wait = math.ceil((until - now).total_seconds())
    security.warning("login locked", extra={"login": key, "locked_until": until})
    return TooManyRequests(f"too many failed logins; try again in {wait} s", retry_after=wait)


async def _dummy_hash(hasher: PasswordHasher) -> str:
    # Made by the same hasher, so verifying against it costs what a real user's check costs.
    cached = _dummy_hashes.get(hasher)
    if cached is None:
        cached = await asyncio.to_thread(hasher.hash, secrets.token_urlsafe(16))
        _dummy_hashes[hasher] = cached
    return cached
