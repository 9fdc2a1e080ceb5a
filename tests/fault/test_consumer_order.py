"""Order per aggregate as the consumers apply events, with real processes.

The relay keeps commit order per aggregate on the stream (test_kill_nine checks the
stream). A consuming context applies each aggregate's events in that order too: one of its
consumers holds the group's lease at a time, and a successor applies what a dead one left
pending before anything new."""

from __future__ import annotations

import pytest

from .fleet import Fleet, check_exactly_once, check_order
from .harness import setup
from .test_kill_nine import at_least

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

# Fewer counters than a consumer's batch (20): every batch holds several events of each.
COUNTERS, LAST_SEQ = 10, 60
TOTAL = COUNTERS * LAST_SEQ


async def test_two_consumers_of_one_group_apply_each_aggregate_in_order(fleet: Fleet) -> None:
    await setup(fleet.db_url, COUNTERS)
    await fleet.producer(COUNTERS, LAST_SEQ)  # all committed before anything is relayed
    await fleet.consumer("c1")
    await fleet.consumer("c2")  # one of the two works, the other stands by
    await fleet.relay()
    assert await fleet.settle(TOTAL, within=60)
    outcome = await fleet.outcome()
    check_exactly_once(outcome, COUNTERS, LAST_SEQ)
    assert await fleet.dead_letters() == 0
    check_order(outcome)


@pytest.mark.parametrize("restarted_as", ["solo", "solo-restarted"], ids=["same-name", "new-name"])
async def test_a_consumer_killed_mid_batch_and_restarted_keeps_order_per_aggregate(
    fleet: Fleet, restarted_as: str
) -> None:
    await setup(fleet.db_url, COUNTERS)
    await fleet.producer(COUNTERS, LAST_SEQ)
    solo = await fleet.consumer("solo", lease_ms=3000)
    await fleet.relay()
    await fleet.wait_for(at_least(fleet.applied, TOTAL // 3), 60, "a third applied")

    await fleet.hold(solo, "in-handler")  # mid-batch: the batch's transaction is open
    await fleet.kill9(solo)
    applied_at_kill = await fleet.applied()
    pending = await fleet.pending_of("solo")
    assert 0 < applied_at_kill < TOTAL
    assert set(pending) - await fleet.tracked_message_ids(pending), "died holding unapplied"

    await fleet.consumer(restarted_as, lease_ms=3000)  # takes over once the lease lapses
    assert await fleet.settle(TOTAL, within=60)
    outcome = await fleet.outcome()
    check_exactly_once(outcome, COUNTERS, LAST_SEQ)
    assert await fleet.dead_letters() == 0
    check_order(outcome)
