"""Facts the users context publishes. Other contexts subscribe by type name and read
payload["user_id"], so these field names are part of the public contract."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from astratrade.shared.messages import Event


@dataclass(frozen=True, kw_only=True)
class UserRegistered(Event):
    context: ClassVar[str] = "users"

    user_id: str
    username: str
    email: str


@dataclass(frozen=True, kw_only=True)
class RegistrationAttempted(Event):
    """Someone signed up with this user's email (asking for `username`): answered as a new
    sign-up would be, nothing created, so the answer tells no one the address is
    registered. For a mailer to tell the address's owner."""

    context: ClassVar[str] = "users"

    user_id: str
    username: str


@dataclass(frozen=True, kw_only=True)
class KycUpdated(Event):
    """The user's identity check passed (kyc true) or was withdrawn; live trading needs it."""

    context: ClassVar[str] = "users"

    user_id: str
    kyc: bool


@dataclass(frozen=True, kw_only=True)
class UserPromoted(Event):
    context: ClassVar[str] = "users"

    user_id: str
    role: str


@dataclass(frozen=True, kw_only=True)
class SessionsRevoked(Event):
    """Every token of the user issued before now stopped working (reason: logout_all,
    password_changed, suspended, refresh_reuse)."""

    context: ClassVar[str] = "users"
    user_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class PasswordChanged(Event):
    context: ClassVar[str] = "users"
    user_id: str


@dataclass(frozen=True, kw_only=True)
class UserSuspended(Event):
    """An admin suspended the user: their tokens stop working at once, and they cannot
    log in until reinstated (suspended false)."""

    context: ClassVar[str] = "users"
    user_id: str
    suspended: bool


@dataclass(frozen=True, kw_only=True)
class WalletLinked(Event):
    """A Starknet account proved by signature now signs the user in."""

    context: ClassVar[str] = "users"
    user_id: str
    address: str
