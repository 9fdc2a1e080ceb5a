"""Fair shares add up to the shards, and embedded mode's leases hold every shard."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import create_async_engine

from astratrade.infrastructure.shard_leases import (
    SingleProcessLeases,
    fair_share,
    leases_for,
)

NAMES = st.sets(st.text(min_size=1, max_size=12), min_size=1, max_size=20)


@given(NAMES, st.integers(min_value=1, max_value=256))
def test_fair_shares_of_the_live_replicas_add_up_to_every_shard(
    names: set[str], shards: int
) -> None:
    shares = [fair_share(me, sorted(names - {me}), shards) for me in names]
    assert sum(shares) == shards
    assert max(shares) - min(shares) <= 1


def test_fair_share_when_a_third_replica_joins_two_holding_two_each_frees_one() -> None:
    shares = {me: fair_share(me, [n for n in "abc" if n != me], 4) for me in "abc"}
    assert shares == {"a": 2, "b": 1, "c": 1}


def test_fair_share_counts_itself_when_it_is_not_seen_yet() -> None:
    assert fair_share("b", ["a"], 4) == 2
    assert fair_share("b", [], 4) == 4


async def test_single_process_leases_hold_every_shard_with_token_one() -> None:
    events: list[tuple[str, int, int | None]] = []
    leases = SingleProcessLeases(
        3,
        on_acquired=lambda shard, token: events.append(("acquired", shard, token)),
        on_lost=lambda shard: events.append(("lost", shard, None)),
    )
    await leases.start()
    assert leases.held() == {0: 1, 1: 1, 2: 1}
    leases.fence(None, 2, 1)  # type: ignore[arg-type]  # no database to ask
    await leases.stop()
    assert leases.held() == {}
    assert events == [
        ("acquired", 0, 1),
        ("acquired", 1, 1),
        ("acquired", 2, 1),
        ("lost", 0, None),
        ("lost", 1, None),
        ("lost", 2, None),
    ]


async def test_leases_for_sqlite_are_the_single_process_ones(tmp_path: object) -> None:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path}/x.db")
    try:
        leases = leases_for(engine, scope="trading", shards=4, replica="r1")
        assert isinstance(leases, SingleProcessLeases)
    finally:
        await engine.dispose()
