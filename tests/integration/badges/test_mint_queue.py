"""The mint queue on a whole platform (SQLite and PostgreSQL) with a chain fake standing
for a configured network: a badge waits, off-chain, for a wallet; a wallet linked later
gets the earlier badge queued, submitted, then confirmed once the chain owns it, and
never minted again; a failing chain leaves the reason and a retry after the wait; a
mint whose answer was lost is confirmed without a second submission; a revoked badge is
never queued."""

from __future__ import annotations

from datetime import timedelta

from trading_platform import new_trader, round_trip

from astratrade.badges import views
from astratrade.badges.adapters.minting import mint_round
from astratrade.badges.domain.badges import MintStatus
from astratrade.badges.domain.commands import RevokeBadge
from astratrade.badges.domain.minting import mint_status
from astratrade.badges.domain.tokens import token_id_of
from astratrade.badges.projections import Wallets
from astratrade.platform import Platform
from astratrade.shared.clock import ManualClock
from astratrade.shared.messages import Envelope


class FakeChain:
    """A network that accepts mints and owns what it minted (or refuses, while `down`)."""

    name = "fake"
    configured = True

    def __init__(self) -> None:
        self.owners: dict[int, str] = {}
        self.minted: list[int] = []
        self.down = False

    async def mint(self, to: str, token_id: int) -> str:
        if self.down:
            raise ConnectionError("node unreachable")
        self.minted.append(token_id)
        self.owners[token_id] = to
        return f"0x{len(self.minted):064x}"

    async def owner_of(self, token_id: int) -> str | None:
        if self.down:
            raise ConnectionError("node unreachable")
        return self.owners.get(token_id)


def wallet_of(user_id: str) -> str:
    return f"0x{int(user_id.replace('-', ''), 16):064x}"


async def link_wallet(platform: Platform, user_id: str) -> None:
    """Users' WalletLinked as badges' read model receives it."""
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


async def test_a_wallet_linked_later_gets_the_earlier_badge_minted_once(
    platform: Platform,
) -> None:
    chain = FakeChain()
    ann, account = await new_trader(platform, "ann")
    await round_trip(platform, ann, account, "3030")
    token = token_id_of(ann, "FIRST_TRADE")

    await mint_round(platform.writer, chain, platform.clock)
    assert await status(platform, ann, "FIRST_TRADE") == MintStatus.OFF_CHAIN
    assert mint_status(chain_configured=True, has_wallet=False, revoked=False, mint=None)[1] == (
        "off-chain until a Starknet wallet is linked"
    )

    await link_wallet(platform, ann)
    await mint_round(platform.writer, chain, platform.clock)
    assert await status(platform, ann, "FIRST_TRADE") == MintStatus.SUBMITTED
    await mint_round(platform.writer, chain, platform.clock)
    assert await status(platform, ann, "FIRST_TRADE") == MintStatus.CONFIRMED
    for _ in range(3):
        await mint_round(platform.writer, chain, platform.clock)
    assert chain.minted == [token]
    assert chain.owners[token] == wallet_of(ann)


async def test_a_failing_chain_leaves_the_reason_and_retries_after_the_wait(
    platform: Platform,
) -> None:
    assert isinstance(platform.clock, ManualClock)
    chain = FakeChain()
    chain.down = True
    bea, account = await new_trader(platform, "bea")
    await link_wallet(platform, bea)
    await round_trip(platform, bea, account, "3030")

    await mint_round(platform.writer, chain, platform.clock)
    mint = (await views.mints_of_user(platform.read_db, bea))[token_id_of(bea, "FIRST_TRADE")]
    assert mint.status == MintStatus.FAILED
    assert mint.reason == "ConnectionError: node unreachable"
    assert mint.due_at == platform.clock.now() + timedelta(seconds=30)

    chain.down = False
    await mint_round(platform.writer, chain, platform.clock)  # not due yet
    assert await status(platform, bea, "FIRST_TRADE") == MintStatus.FAILED
    platform.clock.set(platform.clock.now() + timedelta(seconds=30))
    await mint_round(platform.writer, chain, platform.clock)
    assert await status(platform, bea, "FIRST_TRADE") == MintStatus.SUBMITTED


async def test_a_mint_whose_answer_was_lost_is_confirmed_not_sent_again(
    platform: Platform,
) -> None:
    chain = FakeChain()
    cyd, account = await new_trader(platform, "cyd")
    await round_trip(platform, cyd, account, "3030")
    token = token_id_of(cyd, "FIRST_TRADE")
    chain.owners[token] = wallet_of(cyd)  # on chain already; the queue never heard back
    await link_wallet(platform, cyd)
    await mint_round(platform.writer, chain, platform.clock)
    assert await status(platform, cyd, "FIRST_TRADE") == MintStatus.CONFIRMED
    assert chain.minted == []


async def test_a_revoked_badge_is_never_queued(platform: Platform) -> None:
    chain = FakeChain()
    dee, account = await new_trader(platform, "dee")
    await round_trip(platform, dee, account, "3030")
    token = token_id_of(dee, "FIRST_TRADE")
    await platform.bus.execute(RevokeBadge(token_id=token, reason="abuse", admin_id="root"))
    await platform.backbone.drain()
    await link_wallet(platform, dee)
    await mint_round(platform.writer, chain, platform.clock)
    assert await views.mints_of_user(platform.read_db, dee) == {}
    assert chain.minted == []


async def test_admins_page_through_the_queue_with_each_mints_state_and_reason(
    platform: Platform,
) -> None:
    assert isinstance(platform.clock, ManualClock)
    chain = FakeChain()
    traders = [await new_trader(platform, name) for name in ("eve", "fay", "gus")]
    for user_id, account in traders:
        await round_trip(platform, user_id, account, "3030")
        await link_wallet(platform, user_id)
        chain.down = user_id == traders[1][0]  # fay's mint fails
        await mint_round(platform.writer, chain, platform.clock)
        if user_id == traders[0][0]:
            await mint_round(platform.writer, chain, platform.clock)  # eve's is confirmed
        platform.clock.set(platform.clock.now() + timedelta(seconds=1))

    everything, none_left = await views.mint_queue(platform.read_db, None, None, 10)
    assert none_left is None
    assert [q.username for q in everything] == ["gus", "fay", "eve"]  # the latest change first
    assert {q.achievement for q in everything} == {"FIRST_TRADE"}
    assert [q.mint.status for q in everything] == [
        MintStatus.SUBMITTED,
        MintStatus.FAILED,
        MintStatus.CONFIRMED,
    ]
    failed = everything[1].mint
    assert (failed.status, failed.reason) == (
        MintStatus.FAILED,
        "ConnectionError: node unreachable",
    )
    assert [
        q.username
        for q in (await views.mint_queue(platform.read_db, MintStatus.FAILED, None, 10))[0]
    ] == ["fay"]

    seen, cursor = [], None
    while True:
        page, cursor = await views.mint_queue(platform.read_db, None, cursor, 1)
        seen += [q.mint.token_id for q in page]
        if cursor is None:
            break
    assert seen == [q.mint.token_id for q in everything]
