"""Whose badges: one's own (with each token's mint status), and a trader's as the caller
may see them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from astratrade.badges import views
from astratrade.badges.api.schemas import (
    BadgeOut,
    BadgesOut,
    ChainDep,
    LinksDep,
    OwnBadgeOut,
    OwnBadgesOut,
    Username,
)
from astratrade.badges.domain.minting import mint_status
from astratrade.infrastructure.tokens import Claims
from astratrade.infrastructure.web.deps import CurrentUser, Db, optional_user

Viewer = Annotated[Claims | None, Depends(optional_user)]

router = APIRouter(prefix="/api/v1", tags=["badges"])


@router.get("/badges/me", response_model=OwnBadgesOut)
async def own_badges(user: CurrentUser, db: Db, links: LinksDep, chain: ChainDep) -> OwnBadgesOut:
    """The caller's badges, earliest first, revoked ones included, each with its mint
    status and a note saying why (`off_chain` while no chain is configured)."""
    badges = await views.badges_of_user(db, user.user_id)
    queued = await views.mints_of_user(db, user.user_id) if chain.configured else {}
    wallet = chain.configured and await views.has_wallet(db, user.user_id)
    items = []
    for badge in badges:
        status, note = mint_status(
            chain_configured=chain.configured,
            has_wallet=wallet,
            revoked=badge.revoked,
            mint=queued.get(badge.token_id),
        )
        items.append(
            OwnBadgeOut(
                **BadgeOut.of(badge, links).model_dump(), mint_status=status, mint_note=note
            )
        )
    return OwnBadgesOut(items=items)


@router.get("/users/{username}/badges", response_model=BadgesOut)
async def users_badges(username: Username, viewer: Viewer, db: Db, links: LinksDep) -> BadgesOut:
    """A trader's badges (no login needed). A private or suspended profile's: its owner
    only, 404 for anyone else; revoked badges are shown to their owner only."""
    viewer_id = None if viewer is None else viewer.user_id
    badges = await views.visible_badges(db, username, viewer_id)
    return BadgesOut(items=[BadgeOut.of(b, links) for b in badges])
