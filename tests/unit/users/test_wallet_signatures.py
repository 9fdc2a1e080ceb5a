"""The signature check itself: starknet-py's and fast-stark-crypto's signatures of the
sign-in typed data both verify, offline, for an account whose address derives from its key."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime

import fast_stark_crypto
import pytest
from starknet_py.hash.address import compute_address
from starknet_py.hash.utils import message_signature
from starknet_py.utils.typed_data import TypedData

from astratrade.shared.errors import Unauthorized, ValidationFailed
from astratrade.users.adapters.starknet_signatures import StarknetSignatures
from astratrade.users.domain.wallets import CHALLENGE_TTL, Challenge, address_text, felt

CLASS_HASH = 0x061DAC032F228ABEF9C6626F995015233097AE253A7F72D68552DB02F2971B8F
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def account() -> tuple[int, int, int]:
    private = secrets.randbelow(2**250) + 1
    public = fast_stark_crypto.get_public_key(private)
    address = compute_address(class_hash=CLASS_HASH, constructor_calldata=[public], salt=public)
    return private, public, address


def challenge_for(address: int) -> Challenge:
    return Challenge("0xabc", address_text(address), "SN_MAIN", NOW, NOW + CHALLENGE_TTL)


@pytest.mark.parametrize("signer", ["starknet-py", "fast-stark-crypto"])
def test_both_libraries_signatures_verify(signer: str) -> None:
    private, public, address = account()
    challenge = challenge_for(address)
    msg_hash = TypedData.from_dict(challenge.typed_data()).message_hash(address)  # type: ignore[arg-type]
    r, s = (
        message_signature(msg_hash, private)
        if signer == "starknet-py"
        else fast_stark_crypto.sign(private, msg_hash)
    )
    check = StarknetSignatures([CLASS_HASH], None)
    assert asyncio.run(check.verify(challenge, address, public, [r, s]))
    assert not asyncio.run(check.verify(challenge, address, public, [r, s + 1]))
    assert not asyncio.run(check.verify(challenge_for(address + 1), address, public, [r, s]))


def test_an_address_the_key_does_not_derive_needs_a_node() -> None:
    _private, public, address = account()
    check = StarknetSignatures([CLASS_HASH], None)
    with pytest.raises(Unauthorized, match="node"):
        asyncio.run(check.verify(challenge_for(address + 1), address + 1, public, [1, 2]))


@pytest.mark.parametrize("text", ["0x0", "0", "0x" + "f" * 63, "ab", "1e5"])
def test_felts_out_of_range_or_malformed_are_refused(text: str) -> None:
    with pytest.raises(ValidationFailed):
        felt(text, "address")
