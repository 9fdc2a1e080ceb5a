"""HTTP routes of the users context: register, log in, refresh, and the caller's profile."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from astratrade.infrastructure.web.deps import (
    AdminUser,
    Bus,
    CurrentUser,
    Db,
    optional_user,
    rate_limited,
)
from astratrade.infrastructure.web.http import DecimalRoute
from astratrade.infrastructure.web.schemas import DecimalOut
from astratrade.shared.errors import NotFound, ValidationFailed
from astratrade.users import views
from astratrade.users.domain.commands import (
    ChangePassword,
    LogIn,
    LogOut,
    LogOutEverywhere,
    RefreshTokens,
    RegisterUser,
    RequestWalletChallenge,
    SetKyc,
    SuspendUser,
    VerifyWallet,
)
from astratrade.users.domain.model import User
from astratrade.users.domain.wallets import Challenge
from astratrade.users.handlers import SignUp, TokenPair
from astratrade.users.handlers.wallets import WalletResult

router = APIRouter(prefix="/api/v1", route_class=DecimalRoute, tags=["users"])


class RegisterRequest(BaseModel):
    email: str = Field(examples=["ada@example.com"])
    username: str = Field(examples=["ada"], description="3-32 letters, digits, '_', '.', '-'")
    password: str = Field(repr=False, description="8-128 characters")


class RegisterResponse(BaseModel):
    user_id: str
    username: str


class LoginRequest(BaseModel):
    # Longer than any username or email address (254): refused before it is looked up or
    # counted as a failure (the failure counter's key holds 254 characters).
    username: str | None = Field(
        default=None, max_length=254, description="a username or an email address"
    )
    email: str | None = Field(
        default=None, max_length=254, description="accepted in place of username"
    )
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


@router.post("/auth/register", status_code=201, dependencies=[rate_limited("register")])
async def register(body: RegisterRequest, bus: Bus) -> RegisterResponse:
    """Create a trader account (public). A taken username answers 409; a taken email answers
    as a new account does (201), creating nothing: a sign-up never confirms that an address
    is registered. Log in afterwards to know the account is yours."""
    command = RegisterUser(email=body.email, username=body.username, password=body.password)
    signed_up: SignUp = await bus.execute(command)
    return RegisterResponse(user_id=signed_up.user_id, username=signed_up.username)


@router.post("/auth/login", dependencies=[rate_limited("login")])
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


class LogoutIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: str = Field(repr=False)


class PasswordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(repr=False)
    new_password: str = Field(repr=False, description="8-128 characters, not a breached one")


@router.post("/auth/logout", status_code=204)
async def log_out(body: LogoutIn, user: CurrentUser, bus: Bus) -> Response:
    """End this login: its refresh token (and every rotation of it) stops working."""
    await bus.execute(LogOut(user_id=user.user_id, refresh_token=body.refresh_token))
    return Response(status_code=204)


@router.post("/auth/logout-all", status_code=204)
async def log_out_everywhere(user: CurrentUser, bus: Bus) -> Response:
    """Every token of the caller, on every device, stops working at once."""
    await bus.execute(LogOutEverywhere(user_id=user.user_id))
    return Response(status_code=204)


@router.post("/auth/password")
async def change_password(body: PasswordIn, user: CurrentUser, bus: Bus) -> TokenResponse:
    """Change the password: every session ends; a new pair for this device."""
    pair: TokenPair = await bus.execute(
        ChangePassword(
            user_id=user.user_id,
            current_password=body.current_password,
            new_password=body.new_password,
        )
    )
    return _tokens(pair)


class UserOut(BaseModel):
    user_id: str
    username: str
    email: str
    role: str
    kyc: bool
    suspended: bool
    created_at: datetime


class UsersOut(BaseModel):
    users: list[UserOut]
    next_after: str | None  # pass as `after` for the next page


class SuspensionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    suspended: bool


class SuspensionOut(BaseModel):
    user_id: str
    suspended: bool


@router.get("/admin/users", response_model=UsersOut, tags=["admin"])
async def list_users(
    _admin: AdminUser,
    db: Db,
    after: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> UsersOut:
    """Every user, by username (admin only)."""
    found = await views.list_users(db, after, limit)
    return UsersOut(
        users=[
            UserOut(
                user_id=u.user_id,
                username=u.username,
                email=u.email,
                role=u.role,
                kyc=u.kyc,
                suspended=u.suspended,
                created_at=u.created_at,
            )
            for u in found
        ],
        next_after=found[-1].username.lower() if len(found) == limit else None,
    )


@router.put("/admin/users/{user_id}/suspension", response_model=SuspensionOut, tags=["admin"])
async def suspend(user_id: str, body: SuspensionIn, _admin: AdminUser, bus: Bus) -> SuspensionOut:
    """Suspend a user (their tokens stop working at once; they cannot log in) or reinstate
    them (admin only)."""
    user: User = await bus.execute(SuspendUser(user_id=user_id, suspended=body.suspended))
    return SuspensionOut(user_id=user.id, suspended=user.suspended)


class ChallengeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    address: str = Field(max_length=80, description="the Starknet account address, 0x-hex")


class ChallengeOut(BaseModel):
    nonce: str
    expires_at: datetime
    typed_data: dict[str, Any] = Field(description="SNIP-12 (revision 1): sign it as is")


class WalletVerifyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    address: str = Field(max_length=80)
    nonce: str = Field(max_length=80)
    signature: list[str] = Field(max_length=8, description="the wallet's signature, e.g. [r, s]")
    public_key: str = Field(max_length=80, description="the account's Stark public key")


class WalletVerifyOut(BaseModel):
    address: str
    user_id: str
    linked: bool = Field(description="true: linked to the signed-in caller; false: signed in")
    access_token: str | None = None
    refresh_token: str | None = None
    token_type: str | None = None
    expires_in: int | None = None


@router.post("/auth/wallet/challenge", dependencies=[rate_limited("login")])
async def wallet_challenge(body: ChallengeIn, bus: Bus) -> ChallengeOut:
    """A single-use sign-in challenge for a Starknet account, valid 5 minutes (public)."""
    challenge: Challenge = await bus.execute(RequestWalletChallenge(address=body.address))
    return ChallengeOut(
        nonce=challenge.nonce, expires_at=challenge.expires_at, typed_data=challenge.typed_data()
    )


@router.post("/auth/wallet/verify", dependencies=[rate_limited("login")])
async def wallet_verify(body: WalletVerifyIn, bus: Bus, request: Request) -> WalletVerifyOut:
    """The challenge's signature: signs in the user the wallet is linked to; with a bearer
    token, links the wallet to the caller instead. Replayed, expired, foreign-domain or
    wrong-chain signatures answer 401."""
    linking = await optional_user(request)
    result: WalletResult = await bus.execute(
        VerifyWallet(
            address=body.address,
            nonce=body.nonce,
            signature=tuple(body.signature),
            public_key=body.public_key,
            user_id=linking.user_id if linking else None,
        )
    )
    pair = result.tokens
    return WalletVerifyOut(
        address=result.address,
        user_id=result.user_id,
        linked=result.linked,
        access_token=pair.access_token if pair else None,
        refresh_token=pair.refresh_token if pair else None,
        token_type=pair.token_type if pair else None,
        expires_in=pair.expires_in if pair else None,
    )
