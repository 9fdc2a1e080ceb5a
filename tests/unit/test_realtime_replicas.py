"""The gateway's choice of realtime replica: a trader's sockets to one replica, traders
spread over every replica, a replica that failed tried last for a while."""

from __future__ import annotations

from astratrade.entrypoints.gateway.realtime_replicas import RealtimeReplicas

URLS = ["http://hub-a", "http://hub-b"]


def test_a_trader_always_gets_the_same_replica_and_traders_spread_over_both() -> None:
    replicas = RealtimeReplicas(URLS)
    firsts = [replicas.order_for(f"user-{n}")[0] for n in range(400)]
    assert firsts == [replicas.order_for(f"user-{n}")[0] for n in range(400)]
    assert 150 < firsts.count("http://hub-a") < 250


def test_a_replica_that_failed_is_tried_after_the_live_ones_until_it_is_reached() -> None:
    replicas = RealtimeReplicas(URLS, down_seconds=60)
    users = [f"user-{n}" for n in range(20)]
    on_a = [u for u in users if replicas.order_for(u)[0] == "http://hub-a"]
    replicas.failed("http://hub-a")
    assert all(replicas.order_for(u) == ["http://hub-b", "http://hub-a"] for u in on_a)
    replicas.reached("http://hub-a")
    assert all(replicas.order_for(u)[0] == "http://hub-a" for u in on_a)


def test_a_socket_without_a_readable_token_goes_to_the_replicas_in_turn() -> None:
    replicas = RealtimeReplicas(URLS)
    assert {replicas.order_for(None)[0] for _ in range(2)} == set(URLS)
