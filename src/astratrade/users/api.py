"""HTTP routes of the users context: register, log in, refresh, and the caller's profile."""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from astratrade.entrypoints.deps import AdminUser, Bus, CurrentUser, Db
from astratrade.entrypoints.http import DecimalRoute
from astratrade.entrypoints.schemas import DecimalOut
from astratrade.shared.errors import NotFound, ValidationFailed
from astratrade.users import views
from astratrade.users.domain.commands import LogIn, RefreshTokens, RegisterUser, SetKyc
from astratrade.users.domain.model import User
from astratrade.users.handlers import TokenPair

router = APIRouter(prefix="/api/v1", route_class=DecimalRoute, tags=["users"])


class RegisterRequest(BaseModel):
    email: str = Field(examples=["ada@example.com"])
    username: str = Field(examples=["ada"], description="3-32 letters, digits, '_', '.', '-'")
    password: str = Field(repr=False, description="8-128 characters")


class RegisterResponse(BaseModel):
    user_id: str
    username: str


class LoginRequest(BaseModel):
    username: str | None = Field(default=None, description="a username or an email address")
    email: str | None = Field(default=None, description="accepted in place of username")
    password: str = Field(repr=False)


class RefreshRequest(BaseModel):
    refresh_token: str = Field(repr=False)


class TokenResponse(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str
    expires_in: int = Field(description="seconds until the access token expires")


class MeResponse(BaseModel):
    user_id: str
    username: str
    email: str
    level: int
    xp: int
    max_leverage: DecimalOut
    kyc: bool
    role: str


@router.post("/auth/register", status_code=201)
async def register(body: RegisterRequest, bus: Bus) -> RegisterResponse:
    """Create a trader account (public)."""
    command = RegisterUser(email=body.email, username=body.username, password=body.password)
    user: User = await bus.execute(command)
    return RegisterResponse(user_id=user.id, username=user.username)


@router.post("/auth/login")
async def login(body: LoginRequest, bus: Bus) -> TokenResponse:
    """Exchange a username (or email) and password for an access and a refresh token."""
    login_name = body.username if body.username is not None else body.email
    if login_name is None:
        raise ValidationFailed("username", "username (or email) is required")
    pair: TokenPair = await bus.execute(LogIn(login=login_name, password=body.password))
    return _tokens(pair)


@router.post("/auth/refresh")
async def refresh(body: RefreshRequest, bus: Bus) -> TokenResponse:
    """Exchange a refresh token for a new pair; the old refresh token stops working."""
    pair: TokenPair = await bus.execute(RefreshTokens(refresh_token=body.refresh_token))
    return _tokens(pair)


@router.get("/me")
async def me(user: CurrentUser, db: Db, request: Request) -> MeResponse:
    """The caller's identity, role, KYC flag and progression."""
    default_leverage: Decimal = request.app.state.settings.default_unlocked_leverage
    view = await views.me(db, user.user_id, default_leverage)
    if view is None:
        raise NotFound(f"user {user.user_id!r} not found")
    return MeResponse(
        user_id=view.user_id,
        username=view.username,
        email=view.email,
        level=view.level,
        xp=view.xp,
        max_leverage=view.max_leverage,
        kyc=view.kyc,
        role=view.role,
    )


def _tokens(pair: TokenPair) -> TokenResponse:
    return TokenResponse(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        token_type=pair.token_type,
        expires_in=pair.expires_in,
    )


class KycIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kyc: bool


class KycOut(BaseModel):
    user_id: str
    kyc: bool


@router.put("/admin/users/{user_id}/kyc", response_model=KycOut, tags=["admin"])
async def set_kyc(user_id: str, body: KycIn, _admin: AdminUser, bus: Bus) -> KycOut:
    """Record the outcome of a user's identity check (admin only); live trading needs it."""
    user: User = await bus.execute(SetKyc(user_id=user_id, kyc=body.kyc))
    return KycOut(user_id=user.id, kyc=user.kyc)
