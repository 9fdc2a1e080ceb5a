"""Accounts in shards: a stable shard per id, system accounts of each shard's own."""

from __future__ import annotations

import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from astratrade.shared.ids import sequential_ids
from astratrade.trading.domain.shards import (
    HOUSE_ID,
    INSURANCE_ID,
    Shards,
    house_id,
    insurance_id,
    system_shard,
)

counts = st.integers(1, 256)


@given(count=counts, account_id=st.text(min_size=1, max_size=40))
def test_an_account_has_one_shard_in_range_and_the_same_in_every_process(count, account_id):
    shard = Shards(count).of(account_id)
    assert 0 <= shard < count
    if system_shard(account_id) is None:  # a stable hash, not Python's salted hash()
        assert shard == zlib.crc32(account_id.encode()) % count


@given(count=counts, shard_seed=st.integers(0, 10_000))
def test_a_new_id_falls_in_the_shard_asked_for(count, shard_seed):
    shards = Shards(count)
    shard = shard_seed % count
    assert shards.of(shards.new_id(sequential_ids("acct"), shard)) == shard


@given(count=counts, shard_seed=st.integers(0, 10_000))
def test_each_shard_has_its_own_house_and_insurance_fund(count, shard_seed):
    shards, shard = Shards(count), shard_seed % count
    assert shards.of(house_id(shard)) == shard
    assert shards.of(insurance_id(shard)) == shard


def test_shard_zero_keeps_the_system_accounts_names_it_had() -> None:
    assert (house_id(0), insurance_id(0)) == (HOUSE_ID, INSURANCE_ID)
    assert system_shard("system-house-3") == 3
    assert system_shard("system-house-\uff13") is None  # plain ASCII digits only
    assert system_shard("system-housekeeping") is None


@pytest.mark.parametrize("count", [0, 257, -1])
def test_the_shard_count_is_bounded(count: int) -> None:
    with pytest.raises(ValueError, match="shards must be"):
        Shards(count)
