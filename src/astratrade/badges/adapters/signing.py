"""Signing badges' credentials as VC-JWTs (VC-JOSE-COSE: the credential is the JWS payload,
`typ` vc+jwt) with Ed25519 (`EdDSA`), through PyJWT and `cryptography`.

The key comes from settings (ASTRATRADE_BADGE_SIGNING_KEY, a base64url 32-byte seed); in
embedded mode, unset, one is created once under data_dir (owner-only permissions) and
kept, so credentials issued yesterday still verify against today's JWK set. Its `kid` is
the key's RFC 7638 thumbprint: a rotated key gets a new one."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from astratrade.shared.errors import Unavailable

KEY_FILE = "badge_signing_key"
SEED_BYTES = 32


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    text = text.strip()
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Ed25519Signer:
    def __init__(self, seed: bytes) -> None:
        if len(seed) != SEED_BYTES:
            raise ValueError(f"an Ed25519 seed is {SEED_BYTES} bytes, got {len(seed)}")
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        public = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self._jwk = {"crv": "Ed25519", "kty": "OKP", "x": _b64(public)}
        canonical = json.dumps(self._jwk, separators=(",", ":"), sort_keys=True).encode()
        self.kid = _b64(hashlib.sha256(canonical).digest())

    def sign(self, claims: dict[str, Any]) -> str:
        headers = {"kid": self.kid, "typ": "vc+jwt", "cty": "vc"}
        return jwt.encode(claims, self._key, algorithm="EdDSA", headers=headers)

    def public_keys(self) -> dict[str, Any]:
        return {"keys": [{**self._jwk, "kid": self.kid, "alg": "EdDSA", "use": "sig"}]}


class NoSigner:
    """Outside embedded mode without a configured key: nothing is signed, and says why."""

    def sign(self, claims: dict[str, Any]) -> str:
        raise Unavailable("ASTRATRADE_BADGE_SIGNING_KEY is not set: credentials are not signed")

    def public_keys(self) -> dict[str, Any]:
        return {"keys": []}


class KeptKeySigner:
    """Embedded mode's signer: the key kept in data_dir, read (or created) on first use, so
    a process that never signs writes no key."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._signer: Ed25519Signer | None = None

    @property
    def kid(self) -> str:
        return self._loaded().kid

    def sign(self, claims: dict[str, Any]) -> str:
        return self._loaded().sign(claims)

    def public_keys(self) -> dict[str, Any]:
        return self._loaded().public_keys()

    def _loaded(self) -> Ed25519Signer:
        if self._signer is None:
            self._signer = Ed25519Signer(_kept_seed(self._path))
        return self._signer


def signer_from(
    key: str | None, *, embedded: bool, data_dir: Path
) -> Ed25519Signer | KeptKeySigner | NoSigner:
    """From settings: the configured key, else (embedded) the one kept in data_dir."""
    if key:
        return Ed25519Signer(_unb64(key))
    if not embedded:
        return NoSigner()
    return KeptKeySigner(data_dir / KEY_FILE)


def _kept_seed(path: Path) -> bytes:
    """The seed kept at `path`, created there the first time (never in the repository:
    data_dir is ./var, which git ignores)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside, then linked into place: two processes starting at once both end
        # up with the first one's complete key, never a half-written or a second one.
        aside = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(_b64(os.urandom(SEED_BYTES)))
        try:
            os.link(aside, path)
        except FileExistsError:
            pass
        finally:
            aside.unlink()
    return _unb64(path.read_text())
