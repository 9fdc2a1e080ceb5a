"""A badge's public side, no login: its token metadata, image, verifiable credential, its
holder's status list, and the issuer and achievements the credential names."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from astratrade.badges import views
from astratrade.badges.api.schemas import LinksDep, Signer, TokenId
from astratrade.badges.domain import image
from astratrade.badges.domain.catalogue import CATALOGUE
from astratrade.badges.domain.credential import (
    achievement_of,
    issuer_profile,
    open_badge_credential,
)
from astratrade.badges.domain.metadata import token_metadata
from astratrade.badges.domain.status_list import status_list_credential
from astratrade.infrastructure.web.deps import Db
from astratrade.shared.errors import NotFound

router = APIRouter(prefix="/api/v1", tags=["badges"])

VC_JWT = "application/vc+jwt"
# An achievement's image never changes (deterministic from its card): caches may keep it.
IMAGE_CACHE = "public, max-age=86400"
Holder = Annotated[str, Path(pattern="^[0-9a-f]{32}$")]
AchievementId = Annotated[str, Path(pattern="^[A-Z0-9_]{1,40}$")]


@router.get("/badges/issuer")
async def issuer(links: LinksDep) -> dict[str, Any]:
    """The issuer `Profile` every credential names."""
    return {"@context": ["https://www.w3.org/ns/credentials/v2"], **issuer_profile(links)}


@router.get("/badges/achievements/{achievement}")
async def achievement(achievement: AchievementId, links: LinksDep) -> dict[str, Any]:
    """The Open Badges `Achievement` a credential names (unknown: 404)."""
    card = CATALOGUE.get(achievement)
    if card is None:
        raise NotFound(f"no achievement {achievement}")
    return achievement_of(
        achievement,
        links,
        card.name,
        card.description,
        card.criteria,
        links.achievement_image(achievement),
    )


@router.get("/badges/achievements/{achievement}/image.svg", response_class=Response)
async def achievement_image(achievement: AchievementId) -> Response:
    card = CATALOGUE.get(achievement)
    if card is None:
        raise NotFound(f"no achievement {achievement}")
    return _svg(image.badge_svg(card))


@router.get("/badges/status/{holder}", response_class=Response)
async def status_list(holder: Holder, db: Db, links: LinksDep, signer: Signer) -> Response:
    """The holder's revocation list: a BitstringStatusListCredential as a VC-JWT."""
    held = await views.badges_of_holder(db, holder)
    if not held:
        raise NotFound(f"no status list {holder}")
    revoked = [b for b in held if b.revoked_at is not None]
    changed = max(
        [b.revoked_at for b in revoked if b.revoked_at is not None]
        or [min(b.earned_at for b in held)]
    )
    slots = [badge.card.status_index for badge in revoked]
    unsigned = status_list_credential(holder, slots, changed, links)
    return Response(signer.sign(unsigned), media_type=VC_JWT)


@router.get("/badges/{token_id}")
async def metadata(token_id: TokenId, db: Db, links: LinksDep) -> dict[str, Any]:
    """The badge's token metadata (ERC-721 metadata JSON, ERC-5192 `locked: true`)."""
    return token_metadata(await views.badge_by_token(db, token_id), links)


@router.get("/badges/{token_id}/image.svg", response_class=Response)
async def badge_image(token_id: TokenId, db: Db) -> Response:
    """The badge's image: its achievement's SVG medal."""
    badge = await views.badge_by_token(db, token_id)
    return _svg(image.badge_svg(badge.card))


@router.get("/badges/{token_id}/credential", response_class=Response)
async def credential(token_id: TokenId, db: Db, links: LinksDep, signer: Signer) -> Response:
    """The badge's Open Badges 3.0 credential, signed as a VC-JWT (Ed25519; key at
    /.well-known/jwks.json)."""
    badge = await views.badge_by_token(db, token_id)
    return Response(signer.sign(open_badge_credential(badge, links)), media_type=VC_JWT)


def _svg(document: str) -> Response:
    return Response(
        document,
        media_type=image.MEDIA_TYPE,
        # No script runs and nothing loads even if the file is opened on its own.
        headers={"cache-control": IMAGE_CACHE, "content-security-policy": "default-src 'none'"},
    )
