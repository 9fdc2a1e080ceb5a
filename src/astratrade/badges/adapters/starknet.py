"""Minting badges on Starknet through starknet-py: a v3 invoke of `mint(to, token_id)` on the
configured soulbound ERC-721 contract, sent from the platform's account, waited for until
the network accepts it (a reverted or rejected one raises with its reason), and
`owner_of(token_id)` read back to confirm.

The calldata is built from the contract's ABI by starknet-py's own serializer (`to` a
ContractAddress, `token_id` a u256: low then high 128 bits), fees are estimated by the
node (`starknet_estimateFee`, starknet-py's 1.5x margins) and the transaction is signed by
starknet-py with the account's Stark key. RPC methods used: starknet_getNonce,
starknet_estimateFee, starknet_addInvokeTransaction, starknet_getTransactionStatus,
starknet_getTransactionReceipt, starknet_call. Tested against a JSON-RPC server in the tests
that speaks those methods and checks the signature (no Starknet node is reachable here)."""

from __future__ import annotations

from typing import Any

from starknet_py.abi.v2.parser import AbiParser
from starknet_py.hash.selector import get_selector_from_name
from starknet_py.net.account.account import Account
from starknet_py.net.client_errors import ClientError
from starknet_py.net.client_models import Call
from starknet_py.net.full_node_client import FullNodeClient
from starknet_py.net.models.chains import parse_chain
from starknet_py.net.signer.key_pair import KeyPair
from starknet_py.serialization.factory import serializer_for_function_v1
from starknet_py.transaction_errors import TransactionFailedError

from astratrade.shared.errors import Unavailable

# The two entry points badges calls, in the Cairo 1 ABI shape (`owner_of` as OpenZeppelin's
# IERC721 declares it; `mint` is the badge contract's own, callable by the platform's
# account only, and the contract lets nobody transfer).
BADGE_ABI: list[dict[str, Any]] = [
    {
        "type": "struct",
        "name": "core::integer::u256",
        "members": [
            {"name": "low", "type": "core::integer::u128"},
            {"name": "high", "type": "core::integer::u128"},
        ],
    },
    {
        "type": "function",
        "name": "mint",
        "inputs": [
            {"name": "to", "type": "core::starknet::contract_address::ContractAddress"},
            {"name": "token_id", "type": "core::integer::u256"},
        ],
        "outputs": [],
        "state_mutability": "external",
    },
    {
        "type": "function",
        "name": "owner_of",
        "inputs": [{"name": "token_id", "type": "core::integer::u256"}],
        "outputs": [{"type": "core::starknet::contract_address::ContractAddress"}],
        "state_mutability": "view",
    },
]
_ABI = AbiParser(BADGE_ABI).parse()
MINT = serializer_for_function_v1(_ABI.functions["mint"])
OWNER_OF = serializer_for_function_v1(_ABI.functions["owner_of"])
# What OpenZeppelin's ERC-721 panics with for a token nobody owns.
NOT_MINTED = "invalid token id"


def mint_call(contract: int, to: int, token_id: int) -> Call:
    return Call(
        to_addr=contract,
        selector=get_selector_from_name("mint"),
        calldata=MINT.serialize(to=to, token_id=token_id),
    )


def owner_of_call(contract: int, token_id: int) -> Call:
    return Call(
        to_addr=contract,
        selector=get_selector_from_name("owner_of"),
        calldata=OWNER_OF.serialize(token_id=token_id),
    )


class _Cairo1Account(Account):
    """The platform's account, a Cairo 1 contract (as every account deployed today):
    said here rather than asked of the node with the account's whole class."""

    @property
    async def cairo_version(self) -> int:
        return 1


def felt(text: str, name: str) -> int:
    try:
        value = int(text, 16) if text.lower().startswith("0x") else int(text)
    except ValueError:
        raise ValueError(f"{name} must be a felt in hex (0x...) or decimal") from None
    if not 0 < value < 2**251:
        raise ValueError(f"{name} must be a nonzero felt below 2**251")
    return value


class StarknetChain:
    """`ASTRATRADE_BADGE_CHAIN=starknet`: settings name the RPC URL, the chain id, the
    platform's account and its private key, and the badge contract."""

    name = "starknet"
    configured = True

    def __init__(
        self,
        *,
        rpc_url: str,
        chain_id: str,
        account: str,
        private_key: str,
        contract: str,
        check_interval: float = 2.0,
        checks: int = 90,
    ) -> None:
        self._client = FullNodeClient(node_url=rpc_url)
        self._account = _Cairo1Account(
            address=felt(account, "badge_starknet_account"),
            client=self._client,
            key_pair=KeyPair.from_private_key(felt(private_key, "badge_starknet_private_key")),
            chain=parse_chain(chain_id),
        )
        self._contract = felt(contract, "badge_starknet_contract")
        self._interval = check_interval
        self._checks = checks

    async def mint(self, to: str, token_id: int) -> str:
        """Send `mint(to, token_id)` and wait until the network accepts it; its hash."""
        call = mint_call(self._contract, felt(to, "wallet"), token_id)
        try:
            sent = await self._account.execute_v3(calls=call, auto_estimate=True)
            await self._client.wait_for_tx(
                sent.transaction_hash, check_interval=self._interval, retries=self._checks
            )
        except (ClientError, TransactionFailedError) as error:
            # Reverted, rejected, or not accepted within the checks (the queue retries it
            # later, reading owner_of first: a late acceptance is confirmed, not re-sent).
            raise Unavailable(f"starknet: {error}"[:500]) from error
        return f"0x{sent.transaction_hash:064x}"

    async def owner_of(self, token_id: int) -> str | None:
        """The token's owner as the latest block says (None: not minted)."""
        try:
            answer = await self._client.call_contract(
                owner_of_call(self._contract, token_id), block_number="latest"
            )
        except ClientError as error:
            if NOT_MINTED in str(error).lower():
                return None
            raise Unavailable(f"starknet: {error.message}"[:500]) from error
        return f"0x{answer[0]:064x}" if answer and answer[0] else None
