"""kill -9 the outbox relay and consumers in the middle of a 10,000-event run, restart
them, and prove every event was applied exactly once: real processes (tests/fault/harness.py),
the real Redis, a PostgreSQL database of the test's own.

Each kill lands at a chosen point (the process is held there by a hold file, then gets
SIGKILL from the test): the relay between XADD and marking its batch published, one
consumer with a whole batch committed but not acknowledged, the other in the middle of a
batch. Order per aggregate is checked on the stream here; the order in which two consumers
of one group *apply* events is test_consumer_order's subject (it is not kept)."""

from __future__ import annotations

import time
from collections import Counter as Tally
from collections.abc import Awaitable, Callable

import pytest

from .fleet import Fleet, check_exactly_once
from .harness import setup

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

COUNTERS, LAST_SEQ = 50, 200
TOTAL = COUNTERS * LAST_SEQ  # 10,000 events
RATE = 300  # events committed a second: still producing when a third is applied
LEASE_MS = 2000  # a standby takes over from a dead consumer within this


def at_least(read: Callable[[], Awaitable[int]], target: int) -> Callable[[], Awaitable[bool]]:
    async def reached() -> bool:
        return await read() >= target

    return reached


async def test_kill_nine_of_the_relay_and_consumers_mid_run_applies_every_event_once(
    fleet: Fleet,
) -> None:
    started = time.monotonic()
    await setup(fleet.db_url, COUNTERS)
    c1 = await fleet.consumer("c1", lease_ms=LEASE_MS)
    relay = await fleet.relay()
    # Events keep being committed while the relay and the consumers run (and die).
    producer = await fleet.producer(COUNTERS, LAST_SEQ, rate=RATE)
    await fleet.wait_for(at_least(fleet.applied, 1), 60, "c1 at work")
    c2 = await fleet.consumer("c2", lease_ms=LEASE_MS)  # stands by while c1 holds the lease

    await fleet.wait_for(at_least(fleet.applied, TOTAL // 3), 60, "a third applied")

    # c1 (at work: it started first) stops at its next acknowledgement, a whole batch
    # applied and committed; it dies there below.
    fleet.hold_at(c1, "before-ack")
    # The relay dies after it XADDed a batch and before it marked the batch published.
    assert producer.running, "all produced before a third was applied: the relay is idle"
    await fleet.hold(relay, "before-mark")
    published_at_kill = await fleet.published()
    on_stream_at_kill = await fleet.redis.xlen(fleet.stream)
    await fleet.kill9(relay)
    assert 0 < published_at_kill < TOTAL
    assert on_stream_at_kill > published_at_kill  # the batch in hand: sent, not marked

    await fleet.reached(c1, "before-ack")
    await fleet.kill9(c1)
    applied_at_kill = await fleet.applied()
    c1_pending = await fleet.pending_of("c1")
    assert 0 < applied_at_kill < TOTAL, "the kill landed mid-run"
    assert c1_pending
    assert await fleet.tracked_message_ids(c1_pending) == set(c1_pending)

    relay = await fleet.relay()  # sends the unmarked batch a second time
    # c1 comes back under its name. Whichever of c1 and c2 takes the lease once the dead
    # c1's lapses applies c1's pending messages first (they find their tracking rows).
    c1 = await fleet.consumer("c1", lease_ms=LEASE_MS)

    await fleet.wait_for(at_least(fleet.applied, 2 * TOTAL // 3), 60, "two thirds applied")

    # The consumer at work dies in the middle of a batch and never comes back: a standby
    # (the other one, or the new c3) takes the lease and its pending messages first.
    victim = await fleet.active_consumer()
    survivor = c2 if victim is c1 else c1
    await fleet.hold(victim, "in-handler")
    await fleet.kill9(victim)
    victim_pending = await fleet.pending_of(victim.name)
    unapplied = sorted(set(victim_pending) - await fleet.tracked_message_ids(victim_pending))
    assert unapplied, f"{victim.label} died holding messages it had not applied"
    unapplied_events = await fleet.event_ids_of(unapplied)
    c3 = await fleet.consumer("c3", lease_ms=LEASE_MS)

    assert await fleet.settle(TOTAL, within=90), "not every event was applied"
    # The producer ends by itself after its last commit, maybe just after that commit was
    # applied; the long-running workers are asked to stop.
    assert await fleet.finished(producer) == 0, "producer did not stop cleanly"
    for proc in (relay, survivor, c3):
        assert await fleet.stop(proc) == 0, f"{proc.label} did not stop cleanly"
    elapsed = time.monotonic() - started

    outcome = await fleet.outcome()
    # Every produced event was applied exactly once (counted by the test's own table,
    # which would show a second application), with exactly one tracking row each; counts
    # and sums exact to the last decimal; nothing waits in the outbox.
    check_exactly_once(outcome, COUNTERS, LAST_SEQ)
    assert {t[2] for t in outcome.tallies.values()} == {LAST_SEQ}  # every counter's last
    # Nothing left behind in Redis: the group's pending list and lag, dead letters.
    group = await fleet.group_info()
    assert group is not None
    assert (group["pending"], group["lag"]) == (0, 0)
    assert (await fleet.redis.xpending(fleet.stream, "ledgertest.tally"))["pending"] == 0
    assert await fleet.dead_letters() == 0
    # What the victim held unapplied was taken over and applied once, by another consumer.
    consumer_of = {a[0]: a[3] for a in outcome.applications}
    assert {consumer_of[e] for e in unapplied_events.values()} <= {survivor.name, "c3"}
    # The relay's kill sent its batch twice; per aggregate the stream kept commit order.
    entries = await fleet.stream_entries()
    copies = Tally(e[0] for e in entries)
    assert len(copies) == TOTAL
    assert set(copies.values()) == {1, 2}
    resent = sum(n - 1 for n in copies.values())
    assert resent > 0
    first_seen: dict[str, list[int]] = {}
    seen: set[str] = set()
    for event_id, aggregate_id, version in entries:
        if event_id not in seen:
            seen.add(event_id)
            first_seen.setdefault(aggregate_id, []).append(version)
    assert all(v == list(range(1, LAST_SEQ + 1)) for v in first_seen.values())
    stats = {p.label: p.read_stats() for p in fleet.procs}
    print(
        f"\n10,000 events, kill -9 of relay and two consumers: {elapsed:.1f}s; "
        f"applied at the first kill {applied_at_kill}, published {published_at_kill}; "
        f"resent by the relay {resent}; c1 held {len(c1_pending)} applied-unacked; "
        f"{victim.label} left {len(unapplied)} unapplied; application-order violations "
        f"{len(outcome.order_violations())}; stats {stats}"
    )
