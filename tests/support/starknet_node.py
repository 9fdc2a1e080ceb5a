"""A stand-in Starknet node: a JSON-RPC server on 127.0.0.1 speaking the seven methods the
badges' Starknet adapter uses (no Starknet node is reachable from this machine and no devnet
can be installed here).

It holds what a node would: the platform account's nonce and public key, and the badge
contract's owners. It rebuilds each v3 invoke starknet-py sends, recomputes its hash
(starknet-py's own hashing) and checks its Stark signature against the account's public key,
decodes the account's `__execute__` calldata and runs `mint` on the contract's owners;
`starknet_call` answers `owner_of` as OpenZeppelin's ERC-721 does (`ERC721: invalid token
ID` for a token nobody owns). A check that fails is answered as a JSON-RPC error and kept in
`Node.problems`, so a test sees it even when the server that called was another process.

Used by tests/integration/badges/test_starknet_chain.py (on the test's own event loop) and
tests/e2e/test_badge_minting.py (`running_node`: in a thread, for a real server).

What this does not exercise: a real sequencer, real fee estimation, a real account
contract's validation, a real badge contract, L1 acceptance; and the node's answers are
written here from the RPC specification as starknet-py parses them."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from starknet_py.hash.selector import get_selector_from_name
from starknet_py.hash.utils import verify_message_signature
from starknet_py.net.client_models import ResourceBounds, ResourceBoundsMapping
from starknet_py.net.models.chains import parse_chain
from starknet_py.net.models.transaction import InvokeV3
from starknet_py.net.signer.key_pair import KeyPair

CHAIN_ID = "SN_SEPOLIA"
ACCOUNT = 0x0123456789ABCDEF  # the platform's account
PRIVATE_KEY = 0x1234567890987654321  # its Stark key
CONTRACT = 0x0BADCE  # the badge contract
QUERY_VERSION = 2**128 + 3  # a fee estimate's invoke
MINT = get_selector_from_name("mint")
OWNER_OF = get_selector_from_name("owner_of")
SPEC_VERSION = "0.10.2"  # the RPC version starknet-py 0.30 expects
INVALID_TOKEN = "0x4552433732313a20696e76616c696420746f6b656e204944 ('ERC721: invalid token ID')"


def settings() -> dict[str, str]:
    """The badge_starknet_* settings naming this node's account and contract (the URL aside)."""
    return {
        "badge_chain": "starknet",
        "badge_starknet_chain_id": CHAIN_ID,
        "badge_starknet_account": hex(ACCOUNT),
        "badge_starknet_private_key": hex(PRIVATE_KEY),
        "badge_starknet_contract": hex(CONTRACT),
    }


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


class RpcError(Exception):
    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code, self.message, self.data = code, message, data


def _open() -> threading.Event:
    gate = threading.Event()
    gate.set()
    return gate


@dataclass
class Node:
    """What the stand-in node knows and what it saw."""

    public_key: int = field(
        default_factory=lambda: KeyPair.from_private_key(PRIVATE_KEY).public_key
    )
    nonce: int = 0
    owners: dict[int, int] = field(default_factory=dict)
    minted: list[int] = field(default_factory=list)  # token ids, in the order minted
    statuses: dict[int, list[str]] = field(default_factory=dict)  # finality steps still to show
    calls: list[str] = field(default_factory=list)
    invokes: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # checks that failed
    revert_next: str | None = None
    # The finality steps a new transaction shows: "RECEIVED" first makes the adapter wait.
    steps: tuple[str, ...] = ("RECEIVED", "ACCEPTED_ON_L2")
    # Cleared, `owner_of` of a token nobody owns (a mint's first step) or of an owned one
    # (a confirmation) waits until set again: a test sees the mint pending or submitted.
    unminted_reads: threading.Event = field(default_factory=_open)
    minted_reads: threading.Event = field(default_factory=_open)

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
            self.minted.append(token)

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
            self.statuses[tx_hash] = list(self.steps)
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
            owner = self.owners.get(self.token_read(params))
            if owner is None:
                raise RpcError(40, "Contract error", {"revert_error": INVALID_TOKEN})
            return [hex(owner)]
        raise RpcError(-32601, f"method not found: {method}")

    def token_read(self, params: dict[str, Any]) -> int:
        """The token an `owner_of` call asks about."""
        request = params["request"]
        assert _int(request["contract_address"]) == CONTRACT
        assert _int(request["entry_point_selector"]) == OWNER_OF
        low, high = (_int(c) for c in request["calldata"])
        return low + (high << 128)

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

    async def gate(self, method: str, params: dict[str, Any]) -> None:
        """Wait while the read asked for is held (see `unminted_reads`, `minted_reads`)."""
        if method != "starknet_call":
            return
        try:
            token = self.token_read(params)
        except (AssertionError, KeyError, ValueError):
            return  # answered (and kept as a problem) by `answer`
        gate = self.minted_reads if token in self.owners else self.unminted_reads
        # A threading.Event, set from the test's thread: polled, not awaited.
        while not gate.is_set():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


def _app(node: Node) -> web.Application:
    async def rpc(request: web.Request) -> web.Response:
        body = await request.json()
        method, params = body["method"], body.get("params") or {}
        await node.gate(method, params)
        try:
            result = node.answer(method, params)
        except AssertionError as error:
            node.problems.append(f"{method}: {error!r}")
            failure = {"code": -32603, "message": f"stand-in node check failed: {error!r}"}
            return web.json_response({"jsonrpc": "2.0", "id": body["id"], "error": failure})
        except RpcError as error:
            failure = {"code": error.code, "message": error.message}
            if error.data is not None:
                failure["data"] = error.data
            return web.json_response({"jsonrpc": "2.0", "id": body["id"], "error": failure})
        return web.json_response({"jsonrpc": "2.0", "id": body["id"], "result": result})

    app = web.Application()
    app.router.add_post("/", rpc)
    return app


@asynccontextmanager
async def serving(node: Node) -> AsyncIterator[str]:
    """The node on a free loopback port of the running event loop; its URL."""
    runner = web.AppRunner(_app(node))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        await runner.cleanup()


@contextmanager
def running_node(node: Node) -> Iterator[str]:
    """The node on a free loopback port, served from an event loop in a thread of its own
    (for a test without a loop, calling a server in another process); its URL."""
    loop = asyncio.new_event_loop()
    started: asyncio.Future[str] = loop.create_future()
    stop = asyncio.Event()

    async def serve() -> None:
        try:
            async with serving(node) as url:
                started.set_result(url)
                await stop.wait()
        except Exception as error:  # the thread's failure, said to the test
            if not started.done():
                started.set_exception(error)
            raise

    thread = threading.Thread(
        target=loop.run_until_complete, args=(serve(),), name="starknet-node", daemon=True
    )
    thread.start()
    try:
        yield asyncio.run_coroutine_threadsafe(_wait(started), loop).result(timeout=10)
    finally:
        # Release held reads so a caller waiting on one is answered before the node stops.
        node.unminted_reads.set()
        node.minted_reads.set()
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=10)
        loop.close()


async def _wait(started: asyncio.Future[str]) -> str:
    return await started
