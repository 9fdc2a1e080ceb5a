"""Badges' response shapes, and the dependencies its routes share."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from pydantic import BaseModel, Field

from astratrade.badges.domain.badges import Badge, MintStatus
from astratrade.badges.domain.links import Links
from astratrade.badges.domain.tokens import parse_token_id
from astratrade.badges.ports import Chain, CredentialSigner
from astratrade.badges.views import QueuedMint

# Checked by parse_token_id: 422 naming token_id, with the offending value (cut short).
TokenIdText = Annotated[str, Path(description="the badge's uint256 token id, in decimal")]
Username = Annotated[str, Path(min_length=1, max_length=64)]


def token_id(token_id: TokenIdText) -> int:
    return parse_token_id(token_id)


TokenId = Annotated[int, Depends(token_id)]


def _links(request: Request) -> Links:
    links: Links = request.app.state.badge_links
    return links


def _signer(request: Request) -> CredentialSigner:
    signer: CredentialSigner = request.app.state.badge_signer
    return signer


def _chain(request: Request) -> Chain:
    chain: Chain = request.app.state.badge_chain
    return chain


LinksDep = Annotated[Links, Depends(_links)]
ChainDep = Annotated[Chain, Depends(_chain)]
Signer = Annotated[CredentialSigner, Depends(_signer)]


class BadgeOut(BaseModel):
    token_id: str = Field(description="uint256 in decimal (JSON numbers cannot hold it)")
    achievement: str
    name: str
    description: str
    earned_at: datetime
    level: int = Field(description="the holder's level when the achievement was unlocked")
    revoked: bool
    image: str
    metadata: str
    credential: str

    @classmethod
    def of(cls, badge: Badge, links: Links) -> BadgeOut:
        card = badge.card
        return cls(
            token_id=str(badge.token_id),
            achievement=badge.achievement,
            name=card.name,
            description=card.description,
            earned_at=badge.earned_at,
            level=badge.level,
            revoked=badge.revoked,
            image=links.image(badge.token_id),
            metadata=links.metadata(badge.token_id),
            credential=links.credential(badge.token_id),
        )


class OwnBadgeOut(BadgeOut):
    mint_status: MintStatus
    mint_note: str


class BadgesOut(BaseModel):
    items: list[BadgeOut]


class OwnBadgesOut(BaseModel):
    items: list[OwnBadgeOut]


class RevokeIn(BaseModel):
    reason: str = Field(min_length=1, max_length=280)


MAX_MINTS_PAGE = 100
Limit = Annotated[int, Query(ge=1, le=MAX_MINTS_PAGE)]
QueueStatus = Annotated[
    MintStatus | None, Query(description="only mints in this state (off_chain has no mint)")
]


class QueuedMintOut(BaseModel):
    token_id: str = Field(description="uint256 in decimal")
    achievement: str
    username: str | None = Field(description="the holder; null until their sign-up is known")
    to: str = Field(description="the wallet it is minted to")
    status: MintStatus
    attempts: int
    tx_hash: str | None
    reason: str | None = Field(description="why the last attempt failed")
    due_at: datetime | None = Field(description="when a failed mint is tried again")
    updated_at: datetime

    @classmethod
    def of(cls, queued: QueuedMint) -> QueuedMintOut:
        mint = queued.mint
        return cls(
            token_id=str(mint.token_id),
            achievement=queued.achievement,
            username=queued.username,
            to=mint.to,
            status=mint.status,
            attempts=mint.attempts,
            tx_hash=mint.tx_hash,
            reason=mint.reason,
            due_at=mint.due_at,
            updated_at=queued.updated_at,
        )


class MintQueueOut(BaseModel):
    items: list[QueuedMintOut]
    next_cursor: str | None
