"""A badge's token metadata: the ERC-721 metadata JSON shape (name, description, image,
attributes as marketplaces read them) with ERC-5192's `locked: true` (soulbound)."""

from __future__ import annotations

from typing import Any

from astratrade.badges.domain.badges import Badge
from astratrade.badges.domain.links import Links


def token_metadata(badge: Badge, links: Links) -> dict[str, Any]:
    card = badge.card
    attributes: list[dict[str, Any]] = [
        {"trait_type": "achievement", "value": badge.achievement},
        # OpenSea's date display reads seconds since the epoch.
        {
            "trait_type": "earned at",
            "display_type": "date",
            "value": int(badge.earned_at.timestamp()),
        },
        {"trait_type": "level then", "display_type": "number", "value": badge.level},
    ]
    if badge.revoked:
        attributes.append({"trait_type": "status", "value": "revoked"})
    return {
        "name": f"{card.name} badge",
        "description": card.description,
        "image": links.image(badge.token_id),
        "attributes": attributes,
        "locked": True,
        "earned_at": badge.earned_at.isoformat(),
        "credential": links.credential(badge.token_id),
    }
