"""JWT access and refresh tokens (PyJWT, HS256): issued at sign-in, verified by every service."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import jwt

from astratrade.shared.clock import Clock
from astratrade.shared.errors import Unauthorized

TokenKind = Literal["access", "refresh"]
# Every token that fails its signature, issuer, format or required claims answers this,
# whatever PyJWT said (an expired one says so: the client should refresh, and its `exp` is
# readable by whoever holds it anyway).
INVALID_TOKEN = "invalid token"  # noqa: S105 - a message, not a secret
security = logging.getLogger("astratrade.security")
# Tokens that passed the signature check lately, by their text: that check (HMAC, base64 and
# JSON) cost ~50 us on every authenticated request, and its answer for a given text never
# changes. Expiry and kind are still checked on every use. Only tokens this codec's secret
# signed get in, so their number and size are what sign-ins issue; past the bound the
# oldest goes first (and is checked again if it comes back).
VERIFIED_KEPT = 8192


@dataclass(frozen=True, slots=True)
class Claims:
    user_id: str
    role: str
    kind: TokenKind
    token_id: str
    expires_at: datetime
    epoch: int = 0  # the user's session epoch at issue: a later epoch revokes the token


class TokenCodec:
    algorithm = "HS256"

    def __init__(self, secret: str, issuer: str, clock: Clock) -> None:
        self._secret = secret
        self._issuer = issuer
        self._clock = clock
        self._verified: dict[str, Claims] = {}  # oldest first

    def issue(
        self,
        *,
        user_id: str,
        role: str,
        kind: TokenKind,
        token_id: str,
        ttl: timedelta,
        epoch: int = 0,
    ) -> str:
        now = self._clock.now()
        claims = {
            "sv": epoch,
            "sub": user_id,
            "role": role,
            "typ": kind,
            "jti": token_id,
            "iss": self._issuer,
            "iat": int(now.timestamp()),
            "exp": int((now + ttl).timestamp()),
        }
        return jwt.encode(claims, self._secret, algorithm=self.algorithm)

    def verify(self, token: str, kind: TokenKind) -> Claims:
        """Check signature, issuer, expiry (on the injected clock) and kind."""
        claims = self._verified.get(token)
        if claims is None:
            claims = self._signed_claims(token)
            if len(self._verified) >= VERIFIED_KEPT:
                self._verified.pop(next(iter(self._verified)), None)
            self._verified[token] = claims
        if claims.expires_at <= self._clock.now():
            self._verified.pop(token, None)
            raise Unauthorized("token has expired")
        if claims.kind != kind:
            raise Unauthorized(f"expected a {kind} token, got a {claims.kind} token")
        return claims

    def _signed_claims(self, token: str) -> Claims:
        """The claims of a token this codec signed (signature, issuer, required claims)."""
        try:
            data = jwt.decode(
                token,
                self._secret,
                algorithms=[self.algorithm],
                issuer=self._issuer,
                options={
                    "verify_exp": False,
                    "verify_iat": False,
                    "require": ["sub", "exp", "jti", "typ"],
                },
            )
        except jwt.PyJWTError as error:
            # The library's reason stays in the log: the answer says no more than this.
            security.info("token refused", extra={"reason": f"{type(error).__name__}: {error}"})
            raise Unauthorized(INVALID_TOKEN) from error
        return Claims(
            user_id=str(data["sub"]),
            role=str(data.get("role", "trader")),
            kind=data["typ"],  # any text: `verify` compares it with the kind expected
            token_id=str(data["jti"]),
            expires_at=datetime.fromtimestamp(int(data["exp"]), tz=self._clock.now().tzinfo),
            epoch=int(data.get("sv", 0)),
        )
