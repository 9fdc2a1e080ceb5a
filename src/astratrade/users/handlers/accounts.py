"""Use cases of a trader's account: sign up, change password; an admin's promote,
suspend and identity check."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from astratrade.infrastructure.tokens import TokenCodec
from astratrade.shared.clock import Clock
from astratrade.shared.errors import (
    Conflict,
    NotFound,
    ValidationFailed,
)
from astratrade.shared.ids import IdFactory
from astratrade.users.domain import rules
from astratrade.users.domain.commands import (
    ChangePassword,
    PromoteUser,
    RegisterUser,
    SetKyc,
    SuspendUser,
)
from astratrade.users.domain.model import User
from astratrade.users.handlers.sessions import TokenPair, end_sessions, issue_pair, security
from astratrade.users.ports import PasswordHasher, UsersUnitOfWork


@dataclass(frozen=True, kw_only=True)
class SignUp:
    """What a sign-up answers, alike whether it created the account or found the email
    already registered (and created nothing)."""

    user_id: str
    username: str


async def register_user(
    cmd: RegisterUser, uow: UsersUnitOfWork, hasher: PasswordHasher, clock: Clock, ids: IdFactory
) -> SignUp:
    """Create a trader. A taken username (case-insensitively) is a Conflict: usernames are
    public handles. A taken email is answered as a new sign-up is, in what and in time (the
    same hash, a commit of one event), creating nothing: the answer never confirms that an
    address is registered. Its owner gets a RegistrationAttempted event instead."""
    email = rules.check_email(cmd.email)
    rules.check_username(cmd.username)
    rules.check_password(cmd.password)
    # Hash before the transaction opens: argon2 takes tens of milliseconds and must not
    # hold a database lock or a pooled connection meanwhile.
    password_hash = await asyncio.to_thread(hasher.hash, cmd.password)
    answer = SignUp(user_id=ids(), username=cmd.username)
    async with uow:
        taken = await uow.users.exists(email, cmd.username)
        if taken == "username":
            raise Conflict(f"username {cmd.username!r} is already taken", field="username")
        owner = await uow.users.by_login(email) if taken == "email" else None
        if owner is not None:
            owner.note_registration_attempt(cmd.username)
        else:
            uow.users.add(
                User.register(
                    user_id=answer.user_id,
                    email=email,
                    username=cmd.username,
                    password_hash=password_hash,
                    created_at=clock.now(),
                )
            )
        try:
            await uow.commit()
        except Conflict as clash:
            if clash.field != "email":
                raise
            # The same address signed up meanwhile, past the check above: the same answer.
            security.info("sign-up raced one with the same email: answered as new")
            return answer
    if owner is not None:
        security.info(
            "sign-up with a registered email: answered as new, nothing created",
            extra={"user_id": owner.id},
        )
    return answer


async def change_password(
    cmd: ChangePassword,
    uow: UsersUnitOfWork,
    hasher: PasswordHasher,
    tokens: TokenCodec,
    clock: Clock,
    ids: IdFactory,
    access_ttl: timedelta,
    refresh_ttl: timedelta,
) -> TokenPair:
    """Check the current password, store the new one, revoke every session; a new pair
    for the device that asked."""
    rules.check_password(cmd.new_password, "new_password")
    async with uow:
        found = await uow.users.get(cmd.user_id)
    if found is None:
        raise NotFound(f"user {cmd.user_id} not found")
    if not await asyncio.to_thread(hasher.verify, found.password_hash, cmd.current_password):
        raise ValidationFailed("current_password", "the current password is not right")
    new_hash = await asyncio.to_thread(hasher.hash, cmd.new_password)
    async with uow:
        user = await uow.users.get(cmd.user_id)
        if user is None or user.password_hash != found.password_hash:
            raise Conflict("the password changed meanwhile; try again")
        user.change_password(new_hash)
        await uow.refresh_tokens.revoke_all(user.id, at=clock.now())
        pair, _ = issue_pair(user, uow, tokens, clock, ids, access_ttl, refresh_ttl)
        await uow.commit()
    security.info("password changed; sessions revoked", extra={"user_id": user.id})
    return pair


async def suspend_user(cmd: SuspendUser, uow: UsersUnitOfWork, clock: Clock) -> User:
    """An admin suspends (tokens stop at once, no login) or reinstates a user."""
    user = await end_sessions(cmd.user_id, uow, clock, lambda u: u.set_suspended(cmd.suspended))
    security.warning("suspension set", extra={"user_id": user.id, "suspended": cmd.suspended})
    return user


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
