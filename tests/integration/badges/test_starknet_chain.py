"""The Starknet adapter against a JSON-RPC server of the test's own on 127.0.0.1 that speaks
the six methods the adapter uses (no Starknet node is reachable from this machine and no
devnet can be installed here). The server holds what a node would: the account's nonce and
public key, and the badge contract's owners. It rebuilds each v3 invoke starknet-py sends,
recomputes its hash (starknet-py's own hashing) and checks its Stark signature against the
account's public key, decodes the account's `__execute__` calldata and runs `mint` on the
contract's owners; `starknet_call` answers `owner_of` as OpenZeppelin's ERC-721 does
(`ERC721: invalid token ID` for a token nobody owns).

What this does not exercise: a real sequencer, real fee estimation, a real account
contract's validation, a real badge contract, L1 acceptance; and the node's answers are
written here from the RPC specification as starknet-py parses them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from starknet_py.hash.selector import get_selector_from_name
from starknet_py.hash.utils import verify_message_signature
from starknet_py.net.client_models import ResourceBounds, ResourceBoundsMapping
from starknet_py.net.models.chains import parse_chain
from starknet_py.net.models.transaction import InvokeV3
from starknet_py.net.signer.key_pair import KeyPair
from trading_platform import new_trader, round_trip

from astratrade.badges import views, wiring
from astratrade.badges.adapters.chain import chain_from
from astratrade.badges.adapters.minting import mint_round
from astratrade.badges.adapters.starknet import StarknetChain, mint_call
from astratrade.badges.domain.badges import MintStatus
from astratrade.badges.domain.tokens import token_id_of
from astratrade.badges.projections import Wallets
from astratrade.bootstrap import bootstrap
from astratrade.config import Settings
from astratrade.platform import Platform
from astratrade.shared.clock import ManualClock
from astratrade.shared.errors import Unavailable
from astratrade.shared.messages import Envelope
from astratrade.users.adapters.passwords import Argon2Hasher

CHAIN_ID = "SN_SEPOLIA"
ACCOUNT = 0x0123456789ABCDEF
PRIVATE_KEY = 0x1234567890987654321
CONTRACT = 0x0BADCE
WALLET = f"0x{0x0777:064x}"
OTHER = f"0x{0x0888:064x}"
TOKEN = 2**255 + 2**130 + 7  # both halves of the u256 in use
QUERY_VERSION = 2**128 + 3
MINT = get_selector_from_name("mint")
OWNER_OF = get_selector_from_name("owner_of")
SPEC_VERSION = "0.10.2"  # the RPC version starknet-py 0.30 expects
INVALID_TOKEN = "0x4552433732313a20696e76616c696420746f6b656e204944 ('ERC721: invalid token ID')"


def _int(text: str) -> int:
    return int(text, 16)


def _bounds(raw: dict[str, Any]) -> ResourceBoundsMapping:
    def one(name: str) -> ResourceBounds:
        return ResourceBounds(
            max_amount=_int(raw[name]["max_amount"]),
            max_price_per_unit=_int(raw[name]["max_price_per_unit"]),
        )

    return ResourceBoundsMapping(
        l1_gas=one("l1_gas"), l1_data_gas=one("l1_data_gas"), l2_gas=one("l2_gas")
    )


@dataclass
class Node:
    """What the fake node knows and what it saw."""

    public_key: int = field(
        default_factory=lambda: KeyPair.from_private_key(PRIVATE_KEY).public_key
    )
    nonce: int = 0
    owners: dict[int, int] = field(default_factory=dict)
    statuses: dict[int, list[str]] = field(default_factory=dict)  # finality steps still to show
    calls: list[str] = field(default_factory=list)
    invokes: list[dict[str, Any]] = field(default_factory=list)
    revert_next: str | None = None

    def invoke(self, raw: dict[str, Any], *, query: bool) -> int:
        """Check a broadcast v3 invoke as a node would; its hash."""
        assert _int(raw["version"]) == (QUERY_VERSION if query else 3), raw["version"]
        assert _int(raw["sender_address"]) == ACCOUNT
        assert _int(raw["nonce"]) == self.nonce
        tx = InvokeV3(
            version=_int(raw["version"]),
            signature=[_int(s) for s in raw["signature"]],
            nonce=_int(raw["nonce"]),
            resource_bounds=_bounds(raw["resource_bounds"]),
            calldata=[_int(c) for c in raw["calldata"]],
            sender_address=_int(raw["sender_address"]),
            tip=_int(raw["tip"]),
            account_deployment_data=[_int(c) for c in raw["account_deployment_data"]],
        )
        tx_hash = tx.calculate_hash(parse_chain(CHAIN_ID))
        assert verify_message_signature(tx_hash, tx.signature, self.public_key), "bad signature"
        return tx_hash

    def execute(self, calldata: list[int]) -> None:
        """The account's `__execute__(calls: Array<Call>)`, running the badge contract."""
        count, rest = calldata[0], calldata[1:]
        for _ in range(count):
            to, selector, length = rest[0], rest[1], rest[2]
            data, rest = rest[3 : 3 + length], rest[3 + length :]
            assert (to, selector) == (CONTRACT, MINT)
            owner, token = data[0], data[1] + (data[2] << 128)
            assert token not in self.owners, "minted twice"
            self.owners[token] = owner

    def answer(self, method: str, params: dict[str, Any]) -> Any:
        self.calls.append(method)
        if method == "starknet_specVersion":
            return SPEC_VERSION
        if method == "starknet_getNonce":
            assert _int(params["contract_address"]) == ACCOUNT
            return hex(self.nonce)
        if method == "starknet_estimateFee":
            [request] = params["request"]
            self.invoke(request, query=True)
            fee = {
                "l1_gas_consumed": "0x0",
                "l1_gas_price": "0x1",
                "l2_gas_consumed": "0x7a120",
                "l2_gas_price": "0x2540be400",
                "l1_data_gas_consumed": "0x80",
                "l1_data_gas_price": "0x3",
                "overall_fee": "0x470de4df820180",
                "unit": "FRI",
            }
            return [fee]
        if method == "starknet_addInvokeTransaction":
            raw = params["invoke_transaction"]
            tx_hash = self.invoke(raw, query=False)
            bounds = _bounds(raw["resource_bounds"])
            assert bounds.l2_gas.max_amount >= 0x7A120
            assert bounds.l2_gas.max_price_per_unit > 0
            self.invokes.append(raw)
            self.nonce += 1
            if self.revert_next is None:
                self.execute([_int(c) for c in raw["calldata"]])
            self.statuses[tx_hash] = ["RECEIVED", "ACCEPTED_ON_L2"]
            return {"transaction_hash": hex(tx_hash)}
        if method == "starknet_getTransactionStatus":
            steps = self.statuses[_int(params["transaction_hash"])]
            finality = steps.pop(0) if len(steps) > 1 else steps[0]
            status: dict[str, Any] = {"finality_status": finality}
            if finality != "RECEIVED":
                status["execution_status"] = "REVERTED" if self.revert_next else "SUCCEEDED"
                if self.revert_next:
                    status["failure_reason"] = self.revert_next
            return status
        if method == "starknet_getTransactionReceipt":
            return self.receipt(params["transaction_hash"])
        if method == "starknet_call":
            request = params["request"]
            assert _int(request["contract_address"]) == CONTRACT
            assert _int(request["entry_point_selector"]) == OWNER_OF
            low, high = (_int(c) for c in request["calldata"])
            owner = self.owners.get(low + (high << 128))
            if owner is None:
                raise RpcError(40, "Contract error", {"revert_error": INVALID_TOKEN})
            return [hex(owner)]
        raise RpcError(-32601, f"method not found: {method}")

    def receipt(self, tx_hash: str) -> dict[str, Any]:
        return {
            "type": "INVOKE",
            "transaction_hash": tx_hash,
            "actual_fee": {"amount": "0x1", "unit": "FRI"},
            "execution_status": "SUCCEEDED",
            "finality_status": "ACCEPTED_ON_L2",
            "block_hash": "0x1",
            "block_number": 1,
            "messages_sent": [],
            "events": [],
            "execution_resources": {"l1_gas": 0, "l1_data_gas": 128, "l2_gas": 500000},
        }


class RpcError(Exception):
    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code, self.message, self.data = code, message, data


@pytest.fixture
async def node() -> AsyncIterator[tuple[Node, str]]:
    state = Node()

    async def rpc(request: web.Request) -> web.Response:
        body = await request.json()
        try:
            result = state.answer(body["method"], body.get("params") or {})
        except RpcError as error:
            failure = {"code": error.code, "message": error.message}
            if error.data is not None:
                failure["data"] = error.data
            return web.json_response({"jsonrpc": "2.0", "id": body["id"], "error": failure})
        return web.json_response({"jsonrpc": "2.0", "id": body["id"], "result": result})

    app = web.Application()
    app.router.add_post("/", rpc)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield state, f"http://127.0.0.1:{port}/"
    await runner.cleanup()


def chain(url: str) -> StarknetChain:
    return StarknetChain(
        rpc_url=url,
        chain_id=CHAIN_ID,
        account=hex(ACCOUNT),
        private_key=hex(PRIVATE_KEY),
        contract=hex(CONTRACT),
        check_interval=0.01,
        checks=20,
    )


def test_mint_calldata_follows_the_abi() -> None:
    call = mint_call(CONTRACT, 0x777, TOKEN)
    assert call.selector == MINT
    assert call.calldata == [0x777, TOKEN & (2**128 - 1), TOKEN >> 128]  # u256: low, high


async def test_mint_signs_a_v3_invoke_waits_for_acceptance_and_owner_of_reads_it_back(
    node: tuple[Node, str],
) -> None:
    state, url = node
    starknet = chain(url)
    assert await starknet.owner_of(TOKEN) is None  # OpenZeppelin's "invalid token ID"

    tx_hash = await starknet.mint(WALLET, TOKEN)

    assert int(tx_hash, 16) in state.statuses
    assert len(tx_hash) == 66
    assert state.calls.count("starknet_getTransactionStatus") >= 2  # waited past RECEIVED
    assert "starknet_getTransactionReceipt" in state.calls
    assert state.nonce == 1
    [sent] = state.invokes
    assert [_int(c) for c in sent["calldata"]] == [
        1,
        CONTRACT,
        MINT,
        3,
        0x777,
        TOKEN % 2**128,
        TOKEN >> 128,
    ]
    assert await starknet.owner_of(TOKEN) == WALLET

    assert await starknet.mint(OTHER, 5) != tx_hash  # the next nonce, another hash
    assert state.nonce == 2


async def test_a_reverted_mint_raises_with_its_reason(node: tuple[Node, str]) -> None:
    state, url = node
    state.revert_next = "ERC721: token already minted"
    with pytest.raises(Unavailable, match="already minted"):
        await chain(url).mint(WALLET, TOKEN)
    assert await chain(url).owner_of(TOKEN) is None


async def test_a_node_that_cannot_be_reached_is_an_error_not_a_confirmation() -> None:
    starknet = chain("http://127.0.0.1:9/")
    with pytest.raises(Exception):  # noqa: B017, PT011 - aiohttp's connection error
        await starknet.owner_of(TOKEN)


def test_settings_choose_starknet_and_name_what_is_missing() -> None:
    settings = Settings(badge_chain="starknet", badge_starknet_rpc_url="http://127.0.0.1:9/")
    with pytest.raises(ValueError, match="ASTRATRADE_BADGE_STARKNET_ACCOUNT"):
        chain_from("starknet", settings)
    configured = Settings(
        badge_chain="starknet",
        badge_starknet_rpc_url="http://127.0.0.1:9/",
        badge_starknet_account=hex(ACCOUNT),
        badge_starknet_private_key=hex(PRIVATE_KEY),
        badge_starknet_contract=hex(CONTRACT),
    )
    made = chain_from("starknet", configured)
    assert isinstance(made, StarknetChain)
    assert made.configured is True


async def test_the_mint_queue_mints_through_starknet_and_confirms_by_owner_of(
    platform: Platform, node: tuple[Node, str]
) -> None:
    state, url = node
    starknet = chain(url)
    eve, account = await new_trader(platform, "eve")
    await round_trip(platform, eve, account, "3030")
    await link_wallet(platform, eve)
    token = token_id_of(eve, "FIRST_TRADE")

    await mint_round(platform.writer, starknet, platform.clock)
    mint = (await views.mints_of_user(platform.read_db, eve))[token]
    assert mint.status == MintStatus.SUBMITTED, mint.reason
    assert len(state.invokes) == 1
    assert mint.tx_hash is not None
    assert state.owners[token] == int(wallet_of(eve), 16)

    await mint_round(platform.writer, starknet, platform.clock)
    assert await status(platform, eve, "FIRST_TRADE") == MintStatus.CONFIRMED
    await mint_round(platform.writer, starknet, platform.clock)
    assert len(state.invokes) == 1  # minted once


def wallet_of(user_id: str) -> str:
    return f"0x{int(user_id.replace('-', ''), 16):064x}"


async def link_wallet(platform: Platform, user_id: str) -> None:
    """Users' WalletLinked as badges' read model receives it (as in test_mint_queue)."""
    envelope = Envelope(
        event_id=f"wallet-{user_id}", type="WalletLinked", version=1, context="users",
        aggregate_id=user_id, aggregate_version=99, occurred_at=platform.clock.now(),
        payload={"user_id": user_id, "address": wallet_of(user_id)},
    )  # fmt: skip
    await platform.writer.run(lambda conn: Wallets().apply(conn, envelope))


async def status(platform: Platform, user_id: str, achievement: str) -> MintStatus:
    mint = (await views.mints_of_user(platform.read_db, user_id)).get(
        token_id_of(user_id, achievement)
    )
    return mint.status if mint is not None else MintStatus.OFF_CHAIN


async def test_a_platform_set_to_starknet_mints_in_its_own_loop(
    database_url: str, clock: ManualClock, node: tuple[Node, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Settings choose the adapter; the minting loop runs while the clock stands still."""
    state, url = node
    monkeypatch.setattr(wiring, "MINT_EVERY_SECONDS", 0.05)
    settings = Settings(
        database_url=database_url, price_feed="manual", clock="manual", jwt_secret="x" * 32,
        badge_chain="starknet", badge_starknet_rpc_url=url, badge_starknet_chain_id=CHAIN_ID,
        badge_starknet_account=hex(ACCOUNT), badge_starknet_private_key=hex(PRIVATE_KEY),
        badge_starknet_contract=hex(CONTRACT),
    )  # fmt: skip
    platform = bootstrap(settings, clock=clock, hasher=Argon2Hasher(time_cost=1, memory_cost=8))
    await platform.start()
    try:
        fay, account = await new_trader(platform, "fay")
        await link_wallet(platform, fay)
        await round_trip(platform, fay, account, "3030")
        for _ in range(200):
            if await status(platform, fay, "FIRST_TRADE") == MintStatus.CONFIRMED:
                break
            await asyncio.sleep(0.05)
        assert await status(platform, fay, "FIRST_TRADE") == MintStatus.CONFIRMED
        assert state.owners[token_id_of(fay, "FIRST_TRADE")] == int(wallet_of(fay), 16)
        assert len(state.invokes) == 1
    finally:
        await platform.stop()
