"""A badge's token id and its holder's key, derived from the badge alone.

token id = the SHA-256 digest of "astratrade/badge/v1", the user id and the achievement id
(joined by NUL bytes, so no two pairs give the same input), read as a big-endian unsigned
integer: a uint256, as ERC-721 token ids are. It depends on nothing that can change (not
the time, not the order badges were issued, not a database sequence), so a rebuild, a
replay or a second deployment gives every badge the id it had, and the on-chain token
minted with it never needs renumbering. Changing this derivation would orphan every
minted token: a new one needs a new version label, never an edit of this one."""

from __future__ import annotations

import hashlib

from astratrade.shared.errors import ValidationFailed

TOKEN_ID_LABEL = b"astratrade/badge/v1"
HOLDER_LABEL = b"astratrade/badge-holder/v1"
UINT256_MAX = 2**256 - 1
MAX_TOKEN_ID_DIGITS = len(str(UINT256_MAX))  # 78


def token_id_of(user_id: str, achievement: str) -> int:
    """The badge's uint256 token id (see the module's docstring)."""
    digest = hashlib.sha256(
        b"\x00".join((TOKEN_ID_LABEL, user_id.encode(), achievement.encode()))
    ).digest()
    return int.from_bytes(digest, "big")


def holder_key_of(user_id: str) -> str:
    """A public key for the holder's status list and credential subject: 32 hex digits of a
    hash, so public URLs never carry the internal user id."""
    return hashlib.sha256(b"\x00".join((HOLDER_LABEL, user_id.encode()))).hexdigest()[:32]


def parse_token_id(text: str) -> int:
    """A token id from a URL: decimal digits, no sign, no leading zero, at most 2^256 - 1."""
    if (
        not text.isascii()
        or not text.isdigit()
        or len(text) > MAX_TOKEN_ID_DIGITS
        or (len(text) > 1 and text.startswith("0"))
    ):
        shown = text if len(text) <= 80 else text[:80] + "..."
        raise ValidationFailed(
            "token_id", f"token_id must be a decimal uint256 without leading zeros, got {shown!r}"
        )
    value = int(text)
    if value > UINT256_MAX:
        raise ValidationFailed("token_id", f"token_id must be at most 2^256 - 1, got {text}")
    return value
