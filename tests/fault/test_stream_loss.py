"""Redis losing our streams in the middle of a run, with real processes.

Restarting the shared Redis server would disturb everyone else using it, so the loss is
simulated by deleting this test's keys (its own prefix only) - what a restart without
persistence does to us. The relay compares Redis's count of entries ever added to each
stream (XINFO STREAM entries-added) with its own; when Redis counts fewer it queues the
replay window (24 h) of the outbox again, and consumers skip what they applied."""

from __future__ import annotations

import pytest

from .fleet import Fleet, Proc, check_exactly_once
from .harness import produce, setup
from .test_kill_nine import at_least

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

COUNTERS, FIRST_PART, LAST_SEQ = 10, 40, 60
TOTAL = COUNTERS * LAST_SEQ


async def start(fleet: Fleet) -> tuple[Proc, Proc]:
    """The relay and one consumer at work on the first part of the events; return once a
    sixth of all is applied and the consumer is held mid-batch, with relayed events
    waiting for it on the stream (and nowhere else: their outbox rows are published). A
    sixth, not more: the consumer goes on applying until the hold reaches it."""
    await setup(fleet.db_url, COUNTERS)
    await produce(fleet.db_url, COUNTERS, FIRST_PART)
    consumer = await fleet.consumer("c1")
    relay = await fleet.relay()
    await fleet.wait_for(at_least(fleet.applied, TOTAL // 6), 60, "a sixth applied")
    await fleet.hold(consumer, "in-handler")
    assert await fleet.published() - await fleet.applied() >= 50
    return relay, consumer


async def produce_the_rest(fleet: Fleet) -> None:
    """The events still to come, committed to the outbox (the relay picks them up)."""
    await produce(fleet.db_url, COUNTERS, LAST_SEQ, first_seq=FIRST_PART + 1)


async def finish(fleet: Fleet) -> None:
    settled = await fleet.settle(TOTAL, within=60, quiet=2)
    outcome = await fleet.outcome()
    check_exactly_once(outcome, COUNTERS, LAST_SEQ)  # EventsLost when some never arrive
    assert settled
    assert await fleet.group_idle()
    assert await fleet.dead_letters() == 0


async def test_all_our_keys_lost_while_a_batch_is_in_flight_every_event_arrives_once(
    fleet: Fleet,
) -> None:
    relay, consumer = await start(fleet)
    fleet.hold_at(relay, "before-mark")
    await produce_the_rest(fleet)
    await fleet.reached(relay, "before-mark")  # a batch XADDed, not yet marked published
    lost = await fleet.delete_keys()
    assert fleet.stream in lost
    fleet.release(relay, "before-mark")
    fleet.release(consumer, "in-handler")
    await finish(fleet)
    assert "Redis lost stream data: sending" in relay.log.read_text()
    # Everything relayed before the loss came again; the consumer skipped what it applied.
    assert await fleet.redis.xlen(fleet.stream) >= TOTAL


async def test_all_our_keys_lost_just_before_the_relay_reads_and_sends_a_batch(
    fleet: Fleet,
) -> None:
    relay, consumer = await start(fleet)
    await fleet.hold(
        relay, "before-read"
    )  # about to read a batch and send it to a Redis that lost everything
    await produce_the_rest(fleet)  # what it is about to read and send
    lost = await fleet.delete_keys()
    assert fleet.stream in lost
    fleet.release(relay, "before-read")
    fleet.release(consumer, "in-handler")
    await finish(fleet)


async def test_only_the_stream_lost_while_other_keys_survive(fleet: Fleet) -> None:
    _relay, consumer = await start(fleet)
    lost = await fleet.delete_keys(only_streams=True)
    assert lost == [fleet.stream]
    await produce_the_rest(fleet)
    fleet.release(consumer, "in-handler")
    await finish(fleet)
