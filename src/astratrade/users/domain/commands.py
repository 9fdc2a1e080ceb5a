"""Instructions to the users context. Passwords are kept out of reprs and logs."""

from __future__ import annotations

from dataclasses import dataclass, field

from astratrade.shared.messages import Command


@dataclass(frozen=True, kw_only=True)
class RegisterUser(Command):
    email: str
    username: str
    password: str = field(repr=False)


@dataclass(frozen=True, kw_only=True)
class LogIn(Command):
    login: str  # a username or an email address
    password: str = field(repr=False)


@dataclass(frozen=True, kw_only=True)
class RefreshTokens(Command):
    refresh_token: str = field(repr=False)


@dataclass(frozen=True, kw_only=True)
class PromoteUser(Command):
    username: str


@dataclass(frozen=True, kw_only=True)
class SetKyc(Command):
    user_id: str
    kyc: bool


@dataclass(frozen=True, kw_only=True)
class LogOut(Command):
    user_id: str
    refresh_token: str = field(repr=False)


@dataclass(frozen=True, kw_only=True)
class LogOutEverywhere(Command):
    user_id: str


@dataclass(frozen=True, kw_only=True)
class ChangePassword(Command):
    user_id: str
    current_password: str = field(repr=False)
    new_password: str = field(repr=False)


@dataclass(frozen=True, kw_only=True)
class SuspendUser(Command):
    user_id: str
    suspended: bool


@dataclass(frozen=True, kw_only=True)
class RequestWalletChallenge(Command):
    address: str


@dataclass(frozen=True, kw_only=True)
class VerifyWallet(Command):
    """A wallet's signature of its challenge: signs in, or, with `user_id` (the caller is
    signed in), links the wallet to that user."""

    address: str
    nonce: str
    signature: tuple[str, ...]
    public_key: str
    user_id: str | None = None
