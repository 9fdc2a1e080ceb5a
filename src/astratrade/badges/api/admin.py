"""Admins withdrawing a badge, and watching the mint queue."""

from __future__ import annotations

from fastapi import APIRouter

from astratrade.badges import views
from astratrade.badges.api.schemas import (
    BadgeOut,
    Limit,
    LinksDep,
    MintQueueOut,
    QueuedMintOut,
    QueueStatus,
    RevokeIn,
    TokenId,
)
from astratrade.badges.domain.badges import MintStatus
from astratrade.badges.domain.commands import RevokeBadge
from astratrade.infrastructure.web.deps import AdminUser, Bus, Db
from astratrade.infrastructure.web.schemas import Cursor
from astratrade.shared.errors import ValidationFailed

router = APIRouter(prefix="/api/v1", tags=["badges"])


@router.post("/admin/badges/{token_id}/revoke", response_model=BadgeOut)
async def revoke(
    token_id: TokenId, body: RevokeIn, admin: AdminUser, bus: Bus, links: LinksDep
) -> BadgeOut:
    """Withdraw the achievement behind a badge (admin only): its credential's status turns
    `revoked` (unknown: 404; revoked already: 409)."""
    badge = await bus.execute(
        RevokeBadge(token_id=token_id, reason=body.reason, admin_id=admin.user_id)
    )
    return BadgeOut.of(badge, links)


@router.get("/admin/badges/mints", response_model=MintQueueOut)
async def mint_queue(
    _admin: AdminUser,
    db: Db,
    status: QueueStatus = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> MintQueueOut:
    """The mint queue (admin only), the latest change first: each mint's wallet, state,
    attempts, transaction and the reason its last attempt failed."""
    if status == MintStatus.OFF_CHAIN:
        raise ValidationFailed("status", "an off-chain badge has no mint")
    items, next_cursor = await views.mint_queue(db, status, cursor, limit)
    return MintQueueOut(items=[QueuedMintOut.of(q) for q in items], next_cursor=next_cursor)
