"""The Starknet adapter's calls against a published, compiled ABI of OpenZeppelin's Cairo
ERC-721 (vendored in vendored/, its source named in vendored/SOURCE.md): a Starknet ID
identity contract class whose ABI embeds OpenZeppelin's `IERC721`. `owner_of` must be the
same entry point with the same calldata and result; OpenZeppelin's ERC-721 has no public
mint (its component's `mint` is internal, each contract exposes its own), so the badge
contract's `mint(to, token_id)` is checked to take OpenZeppelin's own types for a
recipient and a token id, serialized as `transfer_from` serializes them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from starknet_py.abi.v2.parser import AbiParser
from starknet_py.hash.selector import get_selector_from_name
from starknet_py.serialization.factory import serializer_for_function_v1

from astratrade.badges.adapters.starknet import BADGE_ABI, mint_call, owner_of_call

VENDORED = Path(__file__).parent / "vendored" / "starknet_id_identity_abi.json"
IERC721 = "openzeppelin::token::erc721::interface::IERC721"
CONTRACT = 0x0BADCE
token_ids = st.integers(min_value=0, max_value=2**256 - 1)
addresses = st.integers(min_value=1, max_value=2**251 - 1)


def published() -> list[dict[str, Any]]:
    abi: list[dict[str, Any]] = json.loads(VENDORED.read_text(encoding="utf-8"))
    return abi


def oz_function(name: str) -> dict[str, Any]:
    [interface] = [e for e in published() if e["type"] == "interface" and e["name"] == IERC721]
    [found] = [f for f in interface["items"] if f["name"] == name]
    return found


OZ = AbiParser(published()).parse().interfaces[IERC721].items


def test_the_vendored_class_embeds_openzeppelins_ierc721() -> None:
    impls = {e["interface_name"] for e in published() if e["type"] == "impl"}
    assert IERC721 in impls
    assert {"owner_of", "transfer_from", "balance_of"} <= set(OZ)


def test_owner_of_is_openzeppelins_entry_point_as_published() -> None:
    [ours] = [e for e in BADGE_ABI if e.get("name") == "owner_of"]
    assert ours == oz_function("owner_of")
    [u256] = [
        e for e in published() if e["type"] == "struct" and e["name"] == "core::integer::u256"
    ]
    assert [e for e in BADGE_ABI if e["name"] == "core::integer::u256"] == [u256]


@given(token_id=token_ids, owner=addresses)
def test_owner_of_calldata_and_answer_follow_the_published_abi(token_id: int, owner: int) -> None:
    oz = serializer_for_function_v1(OZ["owner_of"])
    call = owner_of_call(CONTRACT, token_id)
    assert call.selector == get_selector_from_name("owner_of")
    assert call.calldata == oz.serialize(token_id=token_id)
    assert tuple(oz.deserialize([owner])) == (owner,)


def test_mint_takes_openzeppelins_recipient_and_token_id_types() -> None:
    [ours] = [e for e in BADGE_ABI if e.get("name") == "mint"]
    published_types = {i["name"]: i["type"] for i in oz_function("transfer_from")["inputs"]}
    assert [(i["name"], i["type"]) for i in ours["inputs"]] == [
        ("to", published_types["to"]),
        ("token_id", published_types["token_id"]),
    ]


@given(token_id=token_ids, to=addresses, sender=addresses)
def test_mint_calldata_is_serialized_as_the_published_abi_serializes_them(
    token_id: int, to: int, sender: int
) -> None:
    transfer = serializer_for_function_v1(OZ["transfer_from"])
    as_published = transfer.serialize(**{"from": sender, "to": to, "token_id": token_id})
    call = mint_call(CONTRACT, to, token_id)
    assert call.selector == get_selector_from_name("mint")
    assert call.calldata == as_published[1:]  # (to, token_id) after `from`
    assert call.calldata == [to, token_id % 2**128, token_id >> 128]
