"""Starknet wallet sign-in: the SNIP-12 (revision 1) typed data a wallet signs, and the
rules for addresses and challenges (pure). Hashing and verification are the adapter's."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from astratrade.shared.errors import ValidationFailed

CHALLENGE_TTL = timedelta(minutes=5)
DOMAIN_NAME, DOMAIN_VERSION = "AstraTrade", "1"
STATEMENT = "Sign in to AstraTrade. This request costs nothing and sends no transaction."
_FELT_MAX = 2**251  # a contract address is below 2**251
_HEX = re.compile(r"0x[0-9a-fA-F]{1,64}")


def felt(value: str, field: str) -> int:
    """A hex ("0x...") or decimal string as a field element, or 422 naming `field`."""
    text = value.strip()
    try:
        number = int(text, 16) if _HEX.fullmatch(text) else int(text, 10)
    except ValueError:
        raise ValidationFailed(field, f"{field} must be a 0x-hex or decimal number") from None
    if not 0 < number < _FELT_MAX:
        raise ValidationFailed(field, f"{field} is out of range for Starknet")
    return number


def address_text(address: int) -> str:
    """The canonical form addresses are stored and compared in."""
    return f"0x{address:064x}"


@dataclass(frozen=True, slots=True)
class Challenge:
    nonce: str  # 0x-hex, single use
    address: str
    chain_id: str
    issued_at: datetime
    expires_at: datetime

    def problem_at(self, now: datetime, used: bool) -> str | None:
        if used:
            return "this challenge was already used; ask for a new one"
        if now >= self.expires_at:
            return "this challenge expired; ask for a new one"
        return None

    def typed_data(self) -> dict[str, Any]:
        """SNIP-12 revision 1: what the wallet shows and signs. Bound to our domain and
        chain, so a signature for another site or network does not verify here."""
        return {
            "types": {
                "StarknetDomain": [
                    {"name": "name", "type": "shortstring"},
                    {"name": "version", "type": "shortstring"},
                    {"name": "chainId", "type": "shortstring"},
                    {"name": "revision", "type": "shortstring"},
                ],
                "SignIn": [
                    {"name": "address", "type": "ContractAddress"},
                    {"name": "nonce", "type": "felt"},
                    {"name": "issuedAt", "type": "timestamp"},
                    {"name": "expiresAt", "type": "timestamp"},
                    {"name": "statement", "type": "string"},
                ],
            },
            "primaryType": "SignIn",
            "domain": {
                "name": DOMAIN_NAME,
                "version": DOMAIN_VERSION,
                "chainId": self.chain_id,
                "revision": "1",
            },
            "message": {
                "address": self.address,
                "nonce": self.nonce,
                "issuedAt": int(self.issued_at.timestamp()),
                "expiresAt": int(self.expires_at.timestamp()),
                "statement": STATEMENT,
            },
        }
