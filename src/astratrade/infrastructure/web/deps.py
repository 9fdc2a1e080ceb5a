"""Annotated dependencies for routers. The user always comes from a verified token."""

from __future__ import annotations

from contextlib import suppress
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.openapi.models import HTTPBearer as HTTPBearerModel
from fastapi.security.base import SecurityBase
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import HTTPConnection

from astratrade.infrastructure.tokens import Claims, TokenCodec
from astratrade.shared.bus import MessageBus
from astratrade.shared.clock import Clock
from astratrade.shared.errors import Forbidden, Unauthorized


def state(request: Request, name: str) -> Any:
    return getattr(request.app.state, name)


async def get_bus(request: Request) -> MessageBus:
    bus: MessageBus = state(request, "bus")
    return bus


async def get_db(request: Request) -> AsyncEngine:
    db: AsyncEngine = state(request, "db")
    return db


async def get_clock(request: Request) -> Clock:
    clock: Clock = state(request, "clock")
    return clock


async def get_tokens(request: Request) -> TokenCodec:
    tokens: TokenCodec = state(request, "tokens")
    return tokens


class SignedIn(SecurityBase):
    """The caller, from the bearer token (verified once a request: signature, expiry,
    session); 401 without a valid one. With `limited_as`, that action is counted first
    against the client's IP and the user, as `rate_limited` counts it (429 over either).

    One dependency that is also the API's bearer scheme in OpenAPI (FastAPI's `HTTPBearer`
    beside a user dependency made two, and each dependency a route has is solved anew on
    every request: ~15 us each here)."""

    def __init__(self, limited_as: str | None = None) -> None:
        self.model = HTTPBearerModel(description="access token from /api/v1/auth/login")
        self.scheme_name = "HTTPBearer"
        self.limited_as = limited_as

    async def __call__(self, request: Request) -> Claims:
        token = bearer_token(request)
        claims: Claims | None = None
        refused: Unauthorized | None = None
        if token is not None:
            try:
                claims = await verified(request, token)
            except Unauthorized as error:  # answered once the request has been counted
                refused = error
        if self.limited_as is not None:
            await count(request, self.limited_as, claims.user_id if claims else None)
        if claims is None:
            raise refused or Unauthorized("missing bearer token")
        return claims


caller = SignedIn()  # one instance: a route that needs the caller twice solves it once


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer <token>` header (None without one), read as
    FastAPI's `HTTPBearer` reads it."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def signed_in(limited_as: str) -> Any:
    """`user: Annotated[Claims, signed_in("orders")]`: the caller, the action counted."""
    return Depends(SignedIn(limited_as))


async def verified(connection: HTTPConnection, token: str) -> Claims:
    """An access token's claims once its signature, expiry and session are checked (not
    suspended, not revoked by logout everywhere or a new password); once per request."""
    known = getattr(connection.state, "claims", None)
    if known is not None and known[0] == token:
        return known[1]  # type: ignore[no-any-return]
    tokens: TokenCodec = connection.app.state.tokens
    claims = tokens.verify(token, "access")
    sessions = getattr(connection.app.state, "sessions", None)
    if sessions is not None:
        await sessions.check(claims)
    connection.state.claims = (token, claims)
    return claims


async def optional_user(request: Request) -> Claims | None:
    """The caller when a bearer token is sent (checked like any), None when none is."""
    if not request.headers.get("authorization"):
        return None
    token = bearer_token(request)
    if token is None:
        raise Unauthorized("missing bearer token")
    return await verified(request, token)


async def admin_user(user: Annotated[Claims, Depends(caller)]) -> Claims:
    if user.role != "admin":
        raise Forbidden("admin role required")
    return user


def rate_limited(action: str) -> Any:
    """A dependency counting `action` against the client's IP and, once signed in, the
    user: over the limit, 429 with Retry-After before the route runs. For public routes;
    a route that needs the caller takes `signed_in(action)`, which counts the same."""

    async def check(request: Request) -> None:
        if getattr(request.app.state, "rate_limits", None) is None:
            return
        user = None
        token = bearer_token(request)
        if token is not None:  # read here: public routes stay public
            with suppress(Unauthorized):  # the route itself answers 401
                user = (await verified(request, token)).user_id
        await count(request, action, user)

    return Depends(check)


async def count(request: Request, action: str, user: str | None) -> None:
    limits = getattr(request.app.state, "rate_limits", None)
    if limits is not None:
        ip = request.client.host if request.client else "unknown"
        await limits.hit(action, ip=ip, user=user)


Bus = Annotated[MessageBus, Depends(get_bus)]
Db = Annotated[AsyncEngine, Depends(get_db)]
ClockDep = Annotated[Clock, Depends(get_clock)]
Tokens = Annotated[TokenCodec, Depends(get_tokens)]
CurrentUser = Annotated[Claims, Depends(caller)]
AdminUser = Annotated[Claims, Depends(admin_user)]
