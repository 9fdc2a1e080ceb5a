"""Checks a wallet's signature of the sign-in typed data with starknet-py.

A standard (OpenZeppelin-style) account's address is derived from its public key: when the
address derives from the submitted key under a configured account class, the signature is
checked offline against that key. Any other account is asked on chain through
`OnChainSignatures` (its `is_valid_signature`), when a Starknet node is configured.

starknet-py is imported where it is used: with what it loads (sympy among them) it was
half of every process's start, and only a wallet's sign-in needs it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from astratrade.shared.errors import Unauthorized
from astratrade.users.domain.wallets import Challenge

VALID = int.from_bytes(b"VALID", "big")  # SNIP-6's answer; older accounts answer 1


class OnChainSignatures(Protocol):
    async def is_valid_signature(
        self, address: int, msg_hash: int, signature: Sequence[int]
    ) -> bool: ...


class StarknetSignatures:
    def __init__(self, class_hashes: Sequence[int], on_chain: OnChainSignatures | None) -> None:
        self._class_hashes = tuple(class_hashes)
        self._on_chain = on_chain

    async def verify(
        self, challenge: Challenge, address: int, public_key: int, signature: Sequence[int]
    ) -> bool:
        from starknet_py.hash.utils import verify_message_signature
        from starknet_py.utils.typed_data import TypedData

        msg_hash = TypedData.from_dict(challenge.typed_data()).message_hash(address)  # type: ignore[arg-type]
        if self.derives(address, public_key):
            try:
                return bool(verify_message_signature(msg_hash, list(signature), public_key))
            except (ValueError, AssertionError):  # out-of-range values: not a signature
                return False
        if self._on_chain is None:
            raise Unauthorized(
                "this account is not a standard one whose address proves its key, and no "
                "Starknet node is configured to ask it (ASTRATRADE_STARKNET_RPC_URL)"
            )
        return await self._on_chain.is_valid_signature(address, msg_hash, signature)

    def derives(self, address: int, public_key: int) -> bool:
        from starknet_py.hash.address import compute_address

        return any(
            compute_address(class_hash=c, constructor_calldata=[public_key], salt=public_key)
            == address
            for c in self._class_hashes
        )


class RpcSignatures:
    """`is_valid_signature` called on the account contract through a Starknet node."""

    def __init__(self, node_url: str) -> None:
        from starknet_py.net.full_node_client import FullNodeClient

        self._client = FullNodeClient(node_url=node_url)

    async def is_valid_signature(
        self, address: int, msg_hash: int, signature: Sequence[int]
    ) -> bool:
        from starknet_py.hash.selector import get_selector_from_name
        from starknet_py.net.client_models import Call

        call = Call(
            to_addr=address,
            selector=get_selector_from_name("is_valid_signature"),
            calldata=[msg_hash, len(signature), *signature],
        )
        try:
            answer = await self._client.call_contract(call, block_number="latest")
        except Exception:  # the account rejects the call (asserting inside) or the node fails
            return False
        return bool(answer) and answer[0] in (VALID, 1)
