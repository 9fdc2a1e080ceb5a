"""Annotated dependencies for routers. The user always comes from a verified token."""

from __future__ import annotations

from contextlib import suppress
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import HTTPConnection

from astratrade.infrastructure.tokens import Claims, TokenCodec
from astratrade.shared.bus import MessageBus
from astratrade.shared.clock import Clock
from astratrade.shared.errors import Forbidden, Unauthorized

_bearer = HTTPBearer(auto_error=False, description="access token from /api/v1/auth/login")


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


async def current_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Claims:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("missing bearer token")
    return await verified(request, credentials.credentials)


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
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    return await current_user(
        request, HTTPAuthorizationCredentials(scheme=scheme, credentials=token)
    )


async def admin_user(user: Annotated[Claims, Depends(current_user)]) -> Claims:
    if user.role != "admin":
        raise Forbidden("admin role required")
    return user


def rate_limited(action: str) -> Any:
    """A dependency counting `action` against the client's IP and, once signed in, the
    user: over the limit, 429 with Retry-After before the route runs."""

    async def check(request: Request) -> None:
        limits = getattr(request.app.state, "rate_limits", None)
        if limits is None:
            return
        user = None
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token:  # read here: public routes stay public
            with suppress(Unauthorized):  # the route itself answers 401
                user = (await verified(request, token)).user_id
        ip = request.client.host if request.client else "unknown"
        await limits.hit(action, ip=ip, user=user)

    return Depends(check)


Bus = Annotated[MessageBus, Depends(get_bus)]
Db = Annotated[AsyncEngine, Depends(get_db)]
ClockDep = Annotated[Clock, Depends(get_clock)]
Tokens = Annotated[TokenCodec, Depends(get_tokens)]
CurrentUser = Annotated[Claims, Depends(current_user)]
AdminUser = Annotated[Claims, Depends(admin_user)]
