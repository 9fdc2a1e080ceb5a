"""Connecting a live account to its Extended sub-account, and disconnecting it."""

from __future__ import annotations

import logging
from datetime import datetime

from astratrade.shared.errors import Conflict, ValidationFailed
from astratrade.trading.domain.account_terms import AccountKind
from astratrade.trading.domain.venue_link import (
    VenueCredentials,
    VenueLink,
    api_key,
    stark_key,
)
from astratrade.trading.ports import StarkPublicKey, VenueAccounts, VenueLinks

logger = logging.getLogger(__name__)


async def connect(
    account_id: str,
    owner_id: str,
    kind: str,
    submitted: VenueCredentials,
    *,
    derive: StarkPublicKey,
    venue: VenueAccounts,
    links: VenueLinks,
    at: datetime,
) -> VenueLink:
    """Check the key pair (the public key derives from the private one), then that the
    venue knows the API key and that its sub-account has this vault and public key; then
    keep the link. Connecting again replaces the keys (a trader rotating them)."""
    if kind != AccountKind.LIVE.value:
        raise Conflict(f"account {account_id} is not a live account: only those connect")
    key = api_key(submitted.api_key)
    if submitted.vault_id <= 0:
        raise ValidationFailed("vault_id", "must be a positive vault number")
    private = stark_key(submitted.stark_private_key, "stark_private_key")
    public = stark_key(submitted.stark_public_key, "stark_public_key")
    if derive(private) != public:
        raise ValidationFailed(
            "stark_public_key", "is not the public key of the submitted stark_private_key"
        )
    found = await venue.account_of(key)
    if found is None:
        raise ValidationFailed("api_key", "Extended does not know this API key")
    if found.vault_id != submitted.vault_id:
        raise ValidationFailed("vault_id", "is not the vault of this API key's sub-account")
    if found.public_key != public:
        raise ValidationFailed(
            "stark_public_key", "is not the Stark key of this API key's sub-account"
        )
    link = VenueLink(
        account_id=account_id,
        owner_id=owner_id,
        vault_id=found.vault_id,
        public_key=public,
        venue_account_id=found.account_id,
        connected_at=at,
        api_key=key,
        private_key=private,
    )
    await links.save(link)
    logger.info(
        "live account %s connected to Extended sub-account %d (vault %d)",
        account_id,
        found.account_id,
        found.vault_id,
    )
    return link


async def disconnect(account_id: str, links: VenueLinks) -> None:
    """Forget the link and its keys (nothing to forget is not an error)."""
    if await links.delete(account_id):
        logger.info("live account %s disconnected from Extended; its keys are deleted", account_id)
