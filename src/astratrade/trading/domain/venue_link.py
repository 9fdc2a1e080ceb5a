"""A live account's link to its Extended sub-account: the API key, the vault and the Stark
key pair its orders are signed with. The private key and the API key are secrets: kept out
of every repr, log line and answer, sealed at rest, used only to talk to the venue."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from astratrade.shared.errors import ValidationFailed

VENUE = "extended"
# Stark keys are field elements below the curve's order (the STARK curve of Starknet).
STARK_CURVE_ORDER = 0x0800000000000010FFFFFFFFFFFFFFFFB781126DCAE7B2321E66A241ADC64D2F
_HEX = re.compile(r"0x[0-9a-fA-F]{1,64}")
_API_KEY = re.compile(r"[A-Za-z0-9_\-]{8,128}")


def stark_key(text: str, field_name: str) -> int:
    """A Stark key from its 0x-prefixed hex text; 422 naming the field otherwise."""
    if not _HEX.fullmatch(text):
        raise ValidationFailed(field_name, "must be a 0x-prefixed hexadecimal Stark key")
    value = int(text, 16)
    if not 0 < value < STARK_CURVE_ORDER:
        raise ValidationFailed(field_name, "is not a Stark key: out of the curve's range")
    return value


def api_key(text: str) -> str:
    if not _API_KEY.fullmatch(text):
        raise ValidationFailed("api_key", "must be 8 to 128 letters, digits, '-' or '_'")
    return text


@dataclass(frozen=True, slots=True)
class VenueLink:
    account_id: str
    owner_id: str
    vault_id: int
    public_key: int
    venue_account_id: int  # Extended's id of the sub-account
    connected_at: datetime
    api_key: str = field(repr=False)
    private_key: int = field(repr=False)
    venue: str = VENUE

    @property
    def public_key_hex(self) -> str:
        return hex(self.public_key)


@dataclass(frozen=True, slots=True)
class VenueAccount:
    """What the venue says of a sub-account: its id, vault and Stark public key."""

    account_id: int
    vault_id: int
    public_key: int


@dataclass(frozen=True, slots=True)
class VenueCredentials:
    """What the trader submits, as submitted (checked by `connect`)."""

    api_key: str = field(repr=False)
    vault_id: int
    stark_private_key: str = field(repr=False)
    stark_public_key: str
