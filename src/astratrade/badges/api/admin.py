"""Admins withdrawing a badge."""

from __future__ import annotations

from fastapi import APIRouter

from astratrade.badges.api.schemas import BadgeOut, LinksDep, RevokeIn, TokenId
from astratrade.badges.domain.commands import RevokeBadge
from astratrade.infrastructure.web.deps import AdminUser, Bus

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
