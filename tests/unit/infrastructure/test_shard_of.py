"""An account's shard: in range, the same in every process and run, spread evenly."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from astratrade.shared.shards import shard_of

ACCOUNT_IDS = st.text(min_size=1, max_size=64)
SHARD_COUNTS = st.integers(min_value=1, max_value=256)


@given(ACCOUNT_IDS, SHARD_COUNTS)
def test_shard_of_any_account_is_one_of_the_shards(account_id: str, shards: int) -> None:
    assert 0 <= shard_of(account_id, shards) < shards


@given(ACCOUNT_IDS, SHARD_COUNTS)
def test_shard_of_an_account_is_the_same_every_time(account_id: str, shards: int) -> None:
    assert shard_of(account_id, shards) == shard_of(account_id, shards)


@given(ACCOUNT_IDS)
def test_shard_of_with_one_shard_is_always_zero(account_id: str) -> None:
    assert shard_of(account_id, 1) == 0


def test_shard_of_known_accounts_is_pinned() -> None:
    # Fixed for good: replicas of different versions must agree on who owns an account.
    ids = ["0b8f4a3e-8d1c-4f2a-9a57-3c1d2e4f5a6b", "acct-1", "Ünïcode ✓"]
    assert [shard_of(i, 16) for i in ids] == [14, 5, 1]
    assert [shard_of(i, 256) for i in ids] == [206, 117, 241]


def test_shard_of_does_not_depend_on_the_process_hash_seed() -> None:
    code = "from astratrade.shared.shards import shard_of; print(shard_of('acct-42', 64))"
    seen = {
        subprocess.run(  # noqa: S603 - this interpreter, a fixed line
            [sys.executable, "-c", code],
            env={"PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in ("1", "2", "3")
    }
    assert seen == {str(shard_of("acct-42", 64))}


def test_shard_of_spreads_accounts_evenly() -> None:
    counts = Counter(shard_of(f"acct-{i}", 8) for i in range(16_000))
    assert sorted(counts) == list(range(8))
    assert all(1_800 <= n <= 2_200 for n in counts.values()), counts


@pytest.mark.parametrize("shards", [0, -1])
def test_shard_of_refuses_fewer_than_one_shard(shards: int) -> None:
    with pytest.raises(ValueError, match=f"was {shards}"):
        shard_of("acct-1", shards)
