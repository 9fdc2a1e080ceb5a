"""A badge as an Open Badges 3.0 `OpenBadgeCredential` (W3C Verifiable Credentials data
model 2.0): the platform as its issuer `Profile`, the achievement as an `Achievement` with
its criteria, and a `BitstringStatusListEntry` pointing at the holder's revocation list.

Everything in it comes from the badge (valid from the moment it was earned), so the same
badge always gives the same credential, and, Ed25519 signatures being deterministic, the
same signed bytes."""

from __future__ import annotations

from typing import Any

from astratrade.badges.domain.badges import Badge
from astratrade.badges.domain.links import Links

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
ISSUER_NAME = "AstraTrade"


def issuer_profile(links: Links) -> dict[str, Any]:
    return {"id": links.issuer(), "type": ["Profile"], "name": ISSUER_NAME, "url": links.base}


def holder_id(holder: str) -> str:
    """The credential subject's id: a URN of the holder's key, never the user id."""
    return f"urn:astratrade:holder:{holder}"


def achievement_of(
    achievement: str, links: Links, card_name: str, description: str, criteria: str, image_url: str
) -> dict[str, Any]:
    return {
        "id": links.achievement(achievement),
        "type": ["Achievement"],
        "achievementType": "Achievement",
        "name": card_name,
        "description": description,
        "criteria": {"narrative": criteria},
        "image": {"id": image_url, "type": "Image"},
    }


def open_badge_credential(badge: Badge, links: Links) -> dict[str, Any]:
    """The credential, unsigned."""
    card = badge.card
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": links.credential(badge.token_id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer_profile(links),
        "validFrom": _iso(badge),
        "name": f"{card.name} badge",
        "credentialSubject": {
            "id": holder_id(badge.holder),
            "type": ["AchievementSubject"],
            "achievement": achievement_of(
                badge.achievement,
                links,
                card.name,
                card.description,
                card.criteria,
                links.image(badge.token_id),
            ),
        },
        "credentialStatus": {
            "id": f"{links.status_list(badge.holder)}#{card.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(card.status_index),
            "statusListCredential": links.status_list(badge.holder),
        },
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }


def _iso(badge: Badge) -> str:
    return badge.earned_at.isoformat().replace("+00:00", "Z")
