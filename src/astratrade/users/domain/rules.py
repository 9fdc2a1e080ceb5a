"""Input rules for identities. Each failure names its field and shows the offending value,
except for passwords, whose value never appears in a message."""

from __future__ import annotations

import re
from datetime import timedelta
from functools import cache

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


def check_password(password: str, field: str = "password") -> None:
    """Validate a new password: its length, and not one of the most common passwords of
    breaches (the value itself is never echoed)."""
    if not PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH:
        raise ValidationFailed(
            field,
            f"password must be {PASSWORD_MIN_LENGTH}-{PASSWORD_MAX_LENGTH} characters, "
            f"got {len(password)}",
        )
    if is_breached(password):
        raise ValidationFailed(
            field, "this password appears in breached-password lists; choose another"
        )


# Lockout: after LOCK_AFTER failed logins for one login name, each further failure locks
# it for twice as long as the last, from a minute up to an hour; failures are forgotten
# FAILURE_MEMORY after the last one. Applies to names that exist and names that do not.
LOCK_AFTER = 5
FIRST_LOCK = timedelta(minutes=1)
LONGEST_LOCK = timedelta(hours=1)
FAILURE_MEMORY = timedelta(hours=1)


def login_key(login: str) -> str:
    """A login name as lockouts count it: the normalized email or username."""
    return normalize_email(login) if "@" in login else username_key(login)


def lock_for(failures: int) -> timedelta | None:
    if failures < LOCK_AFTER:
        return None
    doubled: timedelta = FIRST_LOCK * 2 ** min(failures - LOCK_AFTER, 16)
    return min(doubled, LONGEST_LOCK)


def is_breached(password: str) -> bool:
    """In the list of the most common passwords from breach corpora (zxcvbn's data)."""
    return password.lower() in _breached()


@cache
def _breached() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # about 30,000 passwords; loaded once

    return frozenset(FREQUENCY_LISTS["passwords"])
