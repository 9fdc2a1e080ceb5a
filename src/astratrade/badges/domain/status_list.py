"""Revocation as a W3C Bitstring Status List: one list per holder, one bit per badge at its
achievement's catalogue slot (1: revoked). A slot never depends on the order badges were
issued, so a rebuild never moves a badge to another bit.

The bitstring is 131,072 bits (16 KiB, the specification's minimum, so a list says nothing
by its length), GZIP-compressed (with a fixed header time, so the same revocations give
the same bytes) and written as multibase base64url without padding ("u" prefix); bit 0
is the most significant bit of the first byte."""

from __future__ import annotations

import base64
import gzip
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from astratrade.badges.domain.credential import VC_CONTEXT, issuer_profile
from astratrade.badges.domain.links import Links

LIST_BITS = 131_072


def encoded_list(revoked_slots: Iterable[int]) -> str:
    bits = bytearray(LIST_BITS // 8)
    for slot in revoked_slots:
        if not 0 <= slot < LIST_BITS:
            raise ValueError(f"status slot must be 0-{LIST_BITS - 1}, got {slot}")
        bits[slot // 8] |= 0x80 >> (slot % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode()


def revoked_in(encoded: str, slot: int) -> bool:
    """Read one bit back (what a verifier does)."""
    data = encoded.removeprefix("u")
    bits = gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
    return bool(bits[slot // 8] & (0x80 >> (slot % 8)))


def status_list_credential(
    holder: str, revoked_slots: Iterable[int], valid_from: datetime, links: Links
) -> dict[str, Any]:
    """The holder's `BitstringStatusListCredential`, unsigned; `valid_from`: the last
    change to it (their first badge's time when nothing was revoked)."""
    url = links.status_list(holder)
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_profile(links),
        "validFrom": valid_from.isoformat().replace("+00:00", "Z"),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_list(revoked_slots),
        },
    }
