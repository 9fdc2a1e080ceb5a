"""Cursor paging: a page of rows in a fixed order, and an opaque cursor naming the last
row given, (its time, its id), so the next page starts after it whatever was added since.
A cursor is base64url JSON: opaque to clients, decoded and checked here; a cursor this API
did not give answers 422 naming `cursor`."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

from astratrade.shared.errors import ValidationFailed


def encode(at: datetime, key: str) -> str:
    raw = json.dumps([at.isoformat(), key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, key = json.loads(raw)
        moment = datetime.fromisoformat(at)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as error:
        raise ValidationFailed("cursor", "the cursor is not one this API gave") from error
    # A key is an id: at most a uint256 in decimal (78 digits), a badge's token id.
    if moment.tzinfo is None or not isinstance(key, str) or not key or len(key) > 80:
        raise ValidationFailed("cursor", "the cursor is not one this API gave")
    return moment, key
