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
        expires_at = datetime.fromtimestamp(int(data["exp"]), tz=self._clock.now().tzinfo)
        if expires_at <= self._clock.now():
            raise Unauthorized("token has expired")
        if data["typ"] != kind:
            raise Unauthorized(f"expected a {kind} token, got a {data['typ']} token")
        return Claims(
            user_id=str(data["sub"]),
            role=str(data.get("role", "trader")),
            kind=kind,
            token_id=str(data["jti"]),
            expires_at=expires_at,
            epoch=int(data.get("sv", 0)),
        )
