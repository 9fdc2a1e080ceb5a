"""Secrets at rest: AES-256-GCM with a key from the environment (`ASTRATRADE_SECRETS_KEY`).

Each sealed value carries its own random 96-bit nonce and is bound to what it belongs to
(associated data, e.g. `venue-link:<account id>:stark_private_key`): a sealed value copied
to another row or field fails to open instead of decrypting there."""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
KEY_BYTES = 32


class SealingError(Exception):
    """A sealed value that does not open with this key and label (wrong key, tampered)."""


def key_from_text(text: str) -> bytes:
    """The 32-byte key of `ASTRATRADE_SECRETS_KEY`: URL-safe base64, as
    `Fernet.generate_key()` or `openssl rand -base64 32 | tr '+/' '-_'` print it."""
    try:
        key = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError) as error:
        raise ValueError("the secrets key must be 32 bytes in URL-safe base64") from error
    if len(key) != KEY_BYTES:
        raise ValueError(f"the secrets key must be 32 bytes in URL-safe base64, was {len(key)}")
    return key


class Sealer:
    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError("AES-256-GCM takes a 32-byte key")
        self._aead = AESGCM(key)

    def __repr__(self) -> str:
        return "Sealer(<key hidden>)"

    def seal(self, secret: str, label: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, secret.encode("utf-8"), label.encode("utf-8"))
        return base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def open(self, sealed: str, label: str) -> str:
        try:
            raw = base64.urlsafe_b64decode(sealed.encode("ascii"))
            nonce, body = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
            return self._aead.decrypt(nonce, body, label.encode("utf-8")).decode("utf-8")
        except (InvalidTag, binascii.Error, ValueError) as error:
            raise SealingError(f"a sealed value did not open ({label})") from error
