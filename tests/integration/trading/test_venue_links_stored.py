"""A live account's link to Extended, through the platform's own adapters: the local
Extended stand-in answers for the API key, the keys are sealed in the database (no
plaintext in the row) and deleted on disconnect."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from extended_platform import live_platform, stand_in_holding
from migrated_tables import differences
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.platform import Platform
from astratrade.shared.errors import Unavailable, ValidationFailed
from astratrade.trading.adapters import tables as t
from astratrade.trading.adapters.extended_accounts import ExtendedAccounts, stark_public_key
from astratrade.trading.adapters.venue_links import SqlVenueLinks
from astratrade.trading.domain.venue_link import VenueCredentials
from astratrade.trading.handlers import venue_links
from extended_exchange import ExtendedStandIn

PRIVATE = 0x7A3B9C1D2E4F5061728394A5B6C7D8E9F0A1B2C3D4E5F60718293A4B5C6D7E8
PUBLIC = stark_public_key(PRIVATE)
API_KEY = "stand-in-api-key-0001"
KEY = base64.urlsafe_b64encode(bytes(range(1, 33))).decode()


@pytest.fixture
async def stand_in() -> AsyncIterator[ExtendedStandIn]:
    async with stand_in_holding(
        API_KEY, account_id=4242, vault=500_123, public_key=PUBLIC
    ) as venue:
        yield venue


@pytest.fixture
async def platform(stand_in: ExtendedStandIn, tmp_path: Path) -> AsyncIterator[Platform]:
    async with live_platform(stand_in, tmp_path, KEY, streams=False) as running:
        yield running


async def test_a_link_is_checked_with_the_venue_sealed_at_rest_and_deleted(
    platform: Platform, stand_in: ExtendedStandIn
) -> None:
    links, venue = platform.port(SqlVenueLinks), platform.port(ExtendedAccounts)

    async def connect(api_key: str, vault: int) -> object:
        submitted = VenueCredentials(api_key, vault, hex(PRIVATE), hex(PUBLIC))
        return await venue_links.connect(
            "acc-9",
            "owner-9",
            "live",
            submitted,
            derive=stark_public_key,
            venue=venue,
            links=links,
            at=platform.clock.now(),
        )

    with pytest.raises(ValidationFailed, match="does not know") as unknown:
        await connect("not-a-key-of-the-venue", 500_123)
    assert unknown.value.field == "api_key"
    with pytest.raises(ValidationFailed) as wrong_vault:
        await connect(API_KEY, 500_124)
    assert wrong_vault.value.field == "vault_id"

    await connect(API_KEY, 500_123)
    stored = await links.get("acc-9")
    assert stored is not None
    assert (stored.api_key, stored.private_key, stored.venue_account_id) == (API_KEY, PRIVATE, 4242)
    async with platform.db.connect() as conn:
        (row,) = (await conn.execute(select(t.venue_links))).all()
    text = " ".join(str(value) for value in row)
    assert API_KEY not in text
    assert hex(PRIVATE)[2:] not in text.lower()
    assert row.stark_public_key == hex(PUBLIC)

    assert await links.delete("acc-9") is True
    assert await links.get("acc-9") is None
    assert await links.delete("acc-9") is False

    await stand_in.stop()  # the venue away: nothing is stored, the trader may try again
    with pytest.raises(Unavailable):
        await connect(API_KEY, 500_123)
    assert await links.get("acc-9") is None


async def test_the_migrated_venue_tables_are_what_the_code_declares(
    migrated_engine: AsyncEngine,
) -> None:
    """The links, and the live venue's funding payments (migration 0034)."""
    async with migrated_engine.connect() as conn:
        assert await conn.run_sync(differences, "trading_venue_") == []
