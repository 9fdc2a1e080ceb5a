"""The mint queue's states: pending, submitted, confirmed, failed with the reason and
retried with doubling waits until no attempt is left; and the `none` chain, which mints
nothing and says so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from astratrade.badges.adapters.chain import NoChain, chain_from
from astratrade.badges.domain.badges import MintStatus
from astratrade.badges.domain.minting import (
    DEFAULT_MINT_RULES,
    OFF_CHAIN_NOTE,
    Mint,
    MintRules,
    mint_status,
)
from astratrade.shared.errors import Conflict, Unavailable

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WALLET = "0x0123"


def test_a_mint_goes_pending_submitted_confirmed() -> None:
    mint = Mint(token_id=7, to=WALLET)
    assert mint.status == MintStatus.PENDING
    sent = mint.submitted("0xabc")
    assert (sent.status, sent.attempts, sent.tx_hash) == (MintStatus.SUBMITTED, 1, "0xabc")
    done = sent.confirmed()
    assert done.status == MintStatus.CONFIRMED
    for step in (lambda m: m.submitted("0xdef"), lambda m: m.failed("late", AT)):
        with pytest.raises(Conflict):
            step(done)  # confirmed is final: never minted twice


def test_a_failure_keeps_its_reason_and_is_retried_after_its_wait() -> None:
    failed = Mint(token_id=7, to=WALLET).submitted("0xabc").failed("reverted: not owner", AT)
    assert failed.status == MintStatus.FAILED
    assert failed.reason == "reverted: not owner"
    assert failed.due_at == AT + timedelta(seconds=30)
    with pytest.raises(Conflict):
        failed.retried(AT + timedelta(seconds=29))
    again = failed.retried(AT + timedelta(seconds=30))
    assert (again.status, again.tx_hash, again.attempts) == (MintStatus.PENDING, None, 1)


def test_a_refused_submission_counts_as_an_attempt() -> None:
    failed = Mint(token_id=7, to=WALLET).failed("node unreachable", AT)
    assert (failed.attempts, failed.due_at) == (1, AT + timedelta(seconds=30))


def test_after_the_last_attempt_a_mint_stays_failed() -> None:
    mint = Mint(token_id=7, to=WALLET)
    at = AT
    for _ in range(DEFAULT_MINT_RULES.max_attempts):
        mint = mint.submitted("0xabc").failed("reverted", at)
        if mint.due_at is not None:
            at = mint.due_at
            mint = mint.retried(at)
    assert mint.status == MintStatus.FAILED
    assert mint.attempts == DEFAULT_MINT_RULES.max_attempts
    assert mint.due_at is None
    with pytest.raises(Conflict):
        mint.retried(at + timedelta(days=365))


@given(st.integers(1, 60), st.integers(1, 100))
def test_waits_double_and_never_exceed_the_longest(first: int, attempts: int) -> None:
    rules = MintRules(first_retry=timedelta(seconds=first), longest_wait=timedelta(hours=1))
    wait, following = rules.wait_after(attempts), rules.wait_after(attempts + 1)
    assert timedelta(seconds=first) <= wait <= rules.longest_wait
    assert following == min(wait * 2, rules.longest_wait)


def test_a_long_reason_is_kept_bounded() -> None:
    failed = Mint(token_id=7, to=WALLET).failed("x" * 10_000, AT)
    assert failed.reason is not None
    assert len(failed.reason) == 500


async def test_the_none_chain_mints_nothing_and_says_so() -> None:
    chain = chain_from("none")
    assert isinstance(chain, NoChain)
    assert chain.configured is False
    with pytest.raises(Unavailable, match="off-chain"):
        await chain.mint(WALLET, 7)
    assert await chain.owner_of(7) is None
    with pytest.raises(ValueError, match="starknet"):
        chain_from("starknet")


def test_what_the_owner_is_told_of_each_mint() -> None:
    told = mint_status
    off = told(chain_configured=False, has_wallet=True, revoked=False, mint=None)
    assert off == (MintStatus.OFF_CHAIN, OFF_CHAIN_NOTE)
    assert told(chain_configured=True, has_wallet=True, revoked=False, mint=None) == (
        MintStatus.PENDING,
        "queued for the linked wallet",
    )
    assert told(chain_configured=True, has_wallet=True, revoked=True, mint=None)[0] == (
        MintStatus.OFF_CHAIN
    )
    failed = Mint(token_id=7, to=WALLET).failed("reverted", AT)
    status, note = told(chain_configured=True, has_wallet=True, revoked=False, mint=failed)
    assert status == MintStatus.FAILED
    assert note == f"failed: reverted; retried after {(AT + timedelta(seconds=30)).isoformat()}"
    done = Mint(token_id=7, to=WALLET).submitted("0xabc").confirmed()
    assert told(chain_configured=True, has_wallet=True, revoked=False, mint=done) == (
        MintStatus.CONFIRMED,
        f"minted to {WALLET}",
    )
