"""The minting round, run as the clock moves while a chain is configured: queue what is
new, then move each workable mint one step through the chain port.

Before submitting, the chain is asked who owns the token: a mint submitted before a crash
(the transaction went through, its row was never updated) is confirmed, not sent again,
so a badge reaches its wallet once. Chain calls happen outside any transaction; each
mint's new state is written on its own."""

from __future__ import annotations

from functools import partial

from astratrade.badges.adapters import mints
from astratrade.badges.domain.badges import MintStatus
from astratrade.badges.domain.minting import DEFAULT_MINT_RULES, Mint, MintRules
from astratrade.badges.ports import Chain
from astratrade.infrastructure.writer import Writer
from astratrade.shared.clock import Clock


async def mint_round(
    writer: Writer, chain: Chain, clock: Clock, rules: MintRules = DEFAULT_MINT_RULES
) -> list[Mint]:
    """One round; the mints as they stand after it."""
    now = clock.now()
    await writer.run(lambda conn: mints.queue_new(conn, now))
    work = await writer.run(lambda conn: mints.workable(conn, now))
    moved = []
    for mint in work:
        after = await _step(mint, chain, clock, rules)
        await writer.run(partial(mints.save, mint=after, at=clock.now()))
        moved.append(after)
    return moved


async def _step(mint: Mint, chain: Chain, clock: Clock, rules: MintRules) -> Mint:
    if mint.status == MintStatus.FAILED:
        mint = mint.retried(clock.now())
    try:
        owner = await chain.owner_of(mint.token_id)
        if mint.status == MintStatus.SUBMITTED:
            return mint.confirmed() if _same(owner, mint.to) else mint
        if _same(owner, mint.to):  # minted already: a submission whose answer was lost
            return mint.submitted(mint.tx_hash or "unknown").confirmed()
        if owner is not None:
            return mint.failed(f"token is owned by {owner}, not {mint.to}", clock.now(), rules)
        return mint.submitted(await chain.mint(mint.to, mint.token_id))
    except Exception as error:  # a chain's failure is the mint's, kept with its reason
        return mint.failed(f"{type(error).__name__}: {error}", clock.now(), rules)


def _same(owner: str | None, address: str) -> bool:
    return owner is not None and int(owner, 16) == int(address, 16)
