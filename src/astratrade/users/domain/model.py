"""The User aggregate and the refresh-token record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from astratrade.shared.messages import Aggregate
from astratrade.users.domain import rules
from astratrade.users.domain.events import (
    KycUpdated,
    PasswordChanged,
    RegistrationAttempted,
    SessionsRevoked,
    UserPromoted,
    UserRegistered,
    UserSuspended,
    WalletLinked,
)

Role = Literal["trader", "admin"]
ROLES: tuple[Role, ...] = ("trader", "admin")


class User(Aggregate):
    aggregate_type = "user"

    def __init__(
        self,
        *,
        user_id: str,
        email: str,
        username: str,
        password_hash: str,
        created_at: datetime,
        role: Role = "trader",
        kyc: bool = False,
        version: int = 0,
        session_epoch: int = 0,
        suspended: bool = False,
    ) -> None:
        super().__init__(user_id, version)
        if created_at.tzinfo is None:
            raise ValueError(f"created_at must be timezone-aware, got {created_at.isoformat()}")
        self.email = email
        self.username = username
        self.password_hash = password_hash
        self.created_at = created_at
        self.role: Role = role
        self.kyc = kyc
        self.session_epoch = session_epoch  # tokens carry it; raising it revokes them all
        self.suspended = suspended

    @classmethod
    def register(
        cls,
        *,
        user_id: str,
        email: str,
        username: str,
        password_hash: str,
        created_at: datetime,
    ) -> User:
        """A new trader; the email is stored lowercase, the username as typed."""
        normalized = rules.check_email(email)
        rules.check_username(username)
        user = cls(
            user_id=user_id,
            email=normalized,
            username=username,
            password_hash=password_hash,
            created_at=created_at,
        )
        user.record(UserRegistered(user_id=user_id, username=username, email=normalized))
        return user

    @property
    def username_key(self) -> str:
        return rules.username_key(self.username)

    def promote(self) -> None:
        """Make this user an admin; promoting an admin again changes nothing."""
        if self.role == "admin":
            return
        self.role = "admin"
        self.record(UserPromoted(user_id=self.id, role=self.role))

    def set_kyc(self, verified: bool) -> None:
        """Record the outcome of the identity check; the same outcome again changes nothing."""
        if self.kyc == verified:
            return
        self.kyc = verified
        self.record(KycUpdated(user_id=self.id, kyc=verified))

    def revoke_sessions(self, reason: str) -> None:
        """Every token issued before stops working at once (access tokens included)."""
        self.session_epoch += 1
        self.record(SessionsRevoked(user_id=self.id, reason=reason))

    def change_password(self, password_hash: str) -> None:
        self.password_hash = password_hash
        self.record(PasswordChanged(user_id=self.id))
        self.revoke_sessions("password_changed")

    def set_suspended(self, suspended: bool) -> None:
        """Suspend (tokens stop at once, no login) or reinstate; the same again changes
        nothing."""
        if self.suspended == suspended:
            return
        self.suspended = suspended
        self.record(UserSuspended(user_id=self.id, suspended=suspended))
        if suspended:
            self.revoke_sessions("suspended")

    def note_registration_attempt(self, username: str) -> None:
        """Someone tried to sign up with this user's email, asking for `username`."""
        self.record(RegistrationAttempted(user_id=self.id, username=username))

    def link_wallet(self, address: str) -> None:
        self.record(WalletLinked(user_id=self.id, address=address))

    def rehash_password(self, password_hash: str) -> None:
        """Store a fresh hash of the same password (stronger hashing parameters)."""
        self.password_hash = password_hash


@dataclass(frozen=True, kw_only=True)
class RefreshToken:
    """A refresh token's server-side record: each one may be exchanged exactly once."""

    token_id: str
    user_id: str
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    replaced_by: str | None = None
    family_id: str | None = None  # the login it descends from, through each rotation
    revoked_at: datetime | None = None

    def problem_at(self, moment: datetime) -> str | None:
        """Why this token cannot be exchanged at `moment`, or None if it can."""
        if self.revoked_at is not None:
            return "refresh token has been revoked"
        if self.used_at is not None:
            return "refresh token has already been used"
        if moment >= self.expires_at:
            return "refresh token has expired"
        return None
