"""Connecting a live account to Extended: the key pair and the venue's sub-account are
checked field by field; the secrets stay out of every repr; sealing at rest."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starknet_py.net.signer.key_pair import KeyPair

from astratrade.infrastructure.sealing import Sealer, SealingError, key_from_text
from astratrade.shared.errors import Conflict, ValidationFailed
from astratrade.trading.adapters.extended_accounts import stark_public_key
from astratrade.trading.domain.venue_link import VenueAccount, VenueCredentials, VenueLink
from astratrade.trading.handlers import venue_links

NOW = datetime(2026, 1, 5, 12, tzinfo=UTC)
PRIVATE = 0x3C1E9550E66958296D11B60F8E8E7A7AD990D07FA65D5F7652C4A6C87D4E3CC
PUBLIC = KeyPair.from_private_key(PRIVATE).public_key  # starknet-py: an independent oracle
API_KEY = "a1b2c3d4e5f6a7b8c9d0"
KEY = base64.urlsafe_b64encode(bytes(range(32))).decode()


@dataclass
class Links:
    saved: dict[str, VenueLink] = field(default_factory=dict)

    async def save(self, link: VenueLink) -> None:
        self.saved[link.account_id] = link

    async def get(self, account_id: str) -> VenueLink | None:
        return self.saved.get(account_id)

    async def delete(self, account_id: str) -> bool:
        return self.saved.pop(account_id, None) is not None


@dataclass
class Venue:
    accounts: dict[str, VenueAccount]

    async def account_of(self, api_key: str) -> VenueAccount | None:
        return self.accounts.get(api_key)


def submitted(**changes: object) -> VenueCredentials:
    fields: dict[str, object] = {
        "api_key": API_KEY,
        "vault_id": 10_001,
        "stark_private_key": hex(PRIVATE),
        "stark_public_key": hex(PUBLIC),
        **changes,
    }
    return VenueCredentials(**fields)  # type: ignore[arg-type]


async def connect(
    credentials: VenueCredentials, kind: str = "live", links: Links | None = None
) -> VenueLink:
    venue = Venue({API_KEY: VenueAccount(account_id=777, vault_id=10_001, public_key=PUBLIC)})
    return await venue_links.connect(
        "acc-1",
        "owner-1",
        kind,
        credentials,
        derive=stark_public_key,
        venue=venue,
        links=links or Links(),
        at=NOW,
    )


def test_the_sdks_derivation_agrees_with_starknet_py() -> None:
    assert stark_public_key(PRIVATE) == PUBLIC
    assert stark_public_key(0x123) == KeyPair.from_private_key(0x123).public_key


async def test_a_matching_pair_known_to_the_venue_connects_and_hides_its_secrets() -> None:
    links = Links()
    link = await connect(submitted(), links=links)
    assert (link.vault_id, link.public_key, link.venue_account_id) == (10_001, PUBLIC, 777)
    assert (link.api_key, link.private_key) == (API_KEY, PRIVATE)
    assert links.saved["acc-1"] is link
    for shown in (repr(link), repr(submitted())):
        assert API_KEY not in shown
        assert hex(PRIVATE) not in shown
        assert str(PRIVATE) not in shown
    await venue_links.disconnect("acc-1", links)
    assert links.saved == {}


@pytest.mark.parametrize(
    ("changes", "field_name"),
    [
        ({"stark_private_key": "123"}, "stark_private_key"),
        ({"stark_private_key": "0x"}, "stark_private_key"),
        ({"stark_private_key": "0x0"}, "stark_private_key"),
        ({"stark_public_key": "0x" + "f" * 64}, "stark_public_key"),  # beyond the curve
        ({"stark_public_key": hex(PUBLIC + 1)}, "stark_public_key"),  # not the pair
        ({"api_key": "short"}, "api_key"),
        ({"api_key": "with spaces in it"}, "api_key"),
        ({"api_key": "unknown-to-the-venue"}, "api_key"),
        ({"vault_id": 0}, "vault_id"),
        ({"vault_id": 10_002}, "vault_id"),  # not the sub-account's vault
    ],
)
async def test_bad_input_is_refused_naming_the_field(
    changes: dict[str, object], field_name: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await connect(submitted(**changes))
    assert refused.value.field == field_name


async def test_a_pair_that_is_not_the_sub_accounts_is_refused() -> None:
    other_private = 0x5F
    other = submitted(
        stark_private_key=hex(other_private), stark_public_key=hex(stark_public_key(other_private))
    )
    with pytest.raises(ValidationFailed, match="sub-account") as refused:
        await connect(other)
    assert refused.value.field == "stark_public_key"


async def test_only_live_accounts_connect() -> None:
    with pytest.raises(Conflict, match="not a live account"):
        await connect(submitted(), kind="practice")


@given(st.text(max_size=200), st.text(min_size=1, max_size=40))
def test_a_sealed_secret_opens_with_its_key_and_label_only(secret: str, label: str) -> None:
    sealer = Sealer(key_from_text(KEY))
    sealed = sealer.seal(secret, label)
    assert sealer.open(sealed, label) == secret
    with pytest.raises(SealingError):
        sealer.open(sealed, label + "x")
    with pytest.raises(SealingError):
        Sealer(bytes(32)).open(sealed, label)


def test_a_tampered_seal_does_not_open_and_bad_keys_are_refused() -> None:
    sealer = Sealer(key_from_text(KEY))
    sealed = bytearray(base64.urlsafe_b64decode(sealer.seal("secret", "l")))
    sealed[-1] ^= 1
    with pytest.raises(SealingError):
        sealer.open(base64.urlsafe_b64encode(bytes(sealed)).decode(), "l")
    for bad in ("", "not base64!", base64.urlsafe_b64encode(bytes(16)).decode()):
        with pytest.raises(ValueError, match="32 bytes"):
            key_from_text(bad)
    assert "key" in repr(sealer)
    assert KEY not in repr(sealer)
