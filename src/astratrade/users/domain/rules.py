"""Input rules for identities. Each failure names its field and shows the offending value,
except for passwords, whose value never appears in a message."""

from __future__ import annotations

import re

from astratrade.shared.errors import ValidationFailed

EMAIL_MAX_LENGTH = 254
USERNAME_MIN_LENGTH = 3
USERNAME_MAX_LENGTH = 32
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128

# Deliberately simple: the only real proof of an address is a mail that arrives.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# ASCII only: Unicode letters would allow look-alike names that differ only in script.
_USERNAME = re.compile(r"[A-Za-z0-9_.-]+")


def normalize_email(email: str) -> str:
    return email.strip().lower()


def username_key(username: str) -> str:
    """The form usernames are compared in: unique case-insensitively."""
    return username.strip().lower()


def check_email(email: str) -> str:
    """Validate an email address and return it normalized (trimmed, lowercase)."""
    normalized = normalize_email(email)
    if not normalized:
        raise ValidationFailed("email", "email is required")
    if len(normalized) > EMAIL_MAX_LENGTH:
        raise ValidationFailed(
            "email",
            f"email must be at most {EMAIL_MAX_LENGTH} characters, got {len(normalized)}",
        )
    if not _EMAIL.fullmatch(normalized):
        raise ValidationFailed("email", f"email {email!r} is not a valid address")
    return normalized


def check_username(username: str) -> None:
    """Validate a username: 3-32 ASCII letters, digits, '_', '.' or '-'."""
    if not USERNAME_MIN_LENGTH <= len(username) <= USERNAME_MAX_LENGTH:
        raise ValidationFailed(
            "username",
            f"username {username!r} must be {USERNAME_MIN_LENGTH}-{USERNAME_MAX_LENGTH} "
            f"characters, got {len(username)}",
        )
    if not _USERNAME.fullmatch(username):
        raise ValidationFailed(
            "username",
            f"username {username!r} may contain only letters, digits, '_', '.' and '-'",
        )


def check_password(password: str) -> None:
    """Validate a new password's length (the value itself is never echoed)."""
    if not PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH:
        raise ValidationFailed(
            "password",
            f"password must be {PASSWORD_MIN_LENGTH}-{PASSWORD_MAX_LENGTH} characters, "
            f"got {len(password)}",
        )
