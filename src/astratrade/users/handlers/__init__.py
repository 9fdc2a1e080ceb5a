"""The users context's use cases, by concept: accounts, sessions, wallets."""

from astratrade.users.handlers.accounts import (
    SignUp,
    change_password,
    promote_user,
    register_user,
    set_kyc,
    suspend_user,
)
from astratrade.users.handlers.sessions import (
    INVALID_LOGIN,
    TokenPair,
    issue_pair,
    log_in,
    log_out,
    log_out_everywhere,
    refresh_tokens,
)

__all__ = [
    "INVALID_LOGIN",
    "SignUp",
    "TokenPair",
    "change_password",
    "issue_pair",
    "log_in",
    "log_out",
    "log_out_everywhere",
    "promote_user",
    "refresh_tokens",
    "register_user",
    "set_kyc",
    "suspend_user",
]
