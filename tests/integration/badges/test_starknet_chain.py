"""The Starknet adapter against the stand-in node of tests/support/starknet_node.py: a
JSON-RPC server on 127.0.0.1 that checks each v3 invoke's hash and Stark signature, runs
`mint` on the badge contract's owners and answers `owner_of` as OpenZeppelin's ERC-721 does
(no Starknet node is reachable from this machine and no devnet can be installed here; what
that leaves untested is said there)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from trading_platform import new_trader, round_trip

from astratrade.badges import views
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
from support.starknet_node import (
    ACCOUNT,
    CHAIN_ID,
    CONTRACT,
    MINT,
    PRIVATE_KEY,
    Node,
    serving,
)

WALLET = f"0x{0x0777:064x}"
OTHER = f"0x{0x0888:064x}"
TOKEN = 2**255 + 2**130 + 7  # both halves of the u256 in use


def _int(text: str) -> int:
    return int(text, 16)


@pytest.fixture
async def node() -> AsyncIterator[tuple[Node, str]]:
    state = Node()
    async with serving(state) as url:
        yield state, url
    assert state.problems == []


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
    database_url: str, clock: ManualClock, node: tuple[Node, str]
) -> None:
    """Settings choose the adapter; the minting loop runs while the clock stands still."""
    state, url = node
    settings = Settings(
        database_url=database_url, price_feed="manual", clock="manual", jwt_secret="x" * 32,
        badge_chain="starknet", badge_starknet_rpc_url=url, badge_starknet_chain_id=CHAIN_ID,
        badge_starknet_account=hex(ACCOUNT), badge_starknet_private_key=hex(PRIVATE_KEY),
        badge_starknet_contract=hex(CONTRACT), badge_mint_every_seconds=0.05,
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
