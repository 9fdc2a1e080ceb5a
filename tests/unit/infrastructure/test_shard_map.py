"""The shard map and the choice of a replica: the holder of a key's shard, any live replica
for the rest, the configured URL before any map, and NoHolder during a failover. The map
is asked of the first URL that answers, one question at a time, and never keeps a caller
longer than its timeout."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from astratrade.infrastructure.shard_leases.placement import Placement, Replica, everywhere
from astratrade.infrastructure.shard_map import (
    MAP_PATH,
    NoHolder,
    ShardMap,
    ShardRoutes,
    StaticRoutes,
    is_shard_elsewhere,
    routes_to,
)
from astratrade.shared.shards import shard_of
from astratrade.trading.adapters.held_shards import ShardElsewhere

A = Replica("a", "http://10.0.0.1:8000")
B = Replica("b", "http://10.0.0.2:8000")
FALLBACK = "http://trading:8000"


class FakeLocator:
    """The map as a test sets it; `then` is what a refresh finds."""

    def __init__(self, placement: Placement | None, then: Placement | None = None) -> None:
        self.placement, self.then, self.refreshes = placement, then, 0

    async def current(self) -> Placement | None:
        return self.placement

    async def refresh(self) -> Placement | None:
        self.refreshes += 1
        if self.then is not None:
            self.placement = self.then
        return self.placement

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None


def two_shards(first: Replica | None, second: Replica | None) -> Placement:
    live = tuple(r for r in {first, second} if r is not None)
    return Placement(2, (first, second), tuple(sorted(live, key=lambda r: r.name)))


def user_in(shard: int, shards: int = 2) -> str:
    return next(f"user-{n}" for n in range(1000) if shard_of(f"user-{n}", shards) == shard)


async def test_a_key_goes_to_its_shards_holder() -> None:
    routes = ShardRoutes(FakeLocator(two_shards(A, B)), FALLBACK)
    assert await routes.holder_of(user_in(0)) == A.address
    assert await routes.holder_of(user_in(1)) == B.address


async def test_before_any_map_requests_go_where_they_went_before_shards() -> None:
    routes = ShardRoutes(FakeLocator(None), FALLBACK)
    assert await routes.holder_of(user_in(1)) == FALLBACK
    assert await routes.any_replica() == FALLBACK


async def test_a_holder_that_gave_no_address_is_reached_at_the_configured_url() -> None:
    routes = ShardRoutes(FakeLocator(two_shards(A, Replica("b", None))), FALLBACK)
    assert await routes.holder_of(user_in(1)) == FALLBACK


async def test_a_shard_without_holder_is_asked_again_once_then_named() -> None:
    locator = FakeLocator(two_shards(A, None))
    routes = ShardRoutes(locator, FALLBACK)
    with pytest.raises(NoHolder) as none:
        await routes.holder_of(user_in(1))
    assert (none.value.shard, none.value.shards, locator.refreshes) == (1, 2, 1)
    assert "shard 1 of 2" in str(none.value)

    taken_over = FakeLocator(two_shards(A, None), then=two_shards(A, A))
    assert await ShardRoutes(taken_over, FALLBACK).holder_of(user_in(1)) == A.address


async def test_requests_of_nobody_go_to_every_live_replica_in_turn() -> None:
    idle = Replica("c", "http://10.0.0.3:8000")  # live, holding nothing
    placement = Placement(2, (A, A), (A, idle))
    routes = ShardRoutes(FakeLocator(placement), FALLBACK)
    chosen = [await routes.any_replica() for _ in range(4)]
    assert chosen == [A.address, idle.address, A.address, idle.address]


async def test_one_url_and_one_shard_route_statically_without_a_map() -> None:
    static = routes_to(["http://trading:8000"], "key", 5.0, shards=1)
    assert isinstance(static, StaticRoutes)
    assert await static.holder_of("anyone") == "http://trading:8000"
    assert await static.any_replica() == "http://trading:8000"
    mapped = routes_to(["http://trading:8000"], "key", 5.0, shards=4)
    assert isinstance(mapped, ShardRoutes)
    await mapped.close()
    assert isinstance(
        routes_to([A.address or "", B.address or ""], "k", 5.0, shards=1), ShardRoutes
    )


def test_the_placement_travels_as_json_and_nonsense_is_refused() -> None:
    placement = Placement(3, (A, None, B), (A, B))
    assert Placement.from_json(json.loads(json.dumps(placement.to_json()))) == placement
    assert everywhere(2, A) == Placement(2, (A, A), (A,))
    for nonsense in ({}, {"shards": 0, "holders": []}, {"shards": 1, "holders": [{"shard": 5}]}):
        with pytest.raises(ValueError, match="not a shard placement"):
            Placement.from_json(nonsense)


def test_shard_elsewhere_is_recognised_by_its_code_only() -> None:
    assert ShardElsewhere.code == "shard_elsewhere"  # what trading answers
    said = json.dumps({"error": {"code": "shard_elsewhere", "message": "m"}}).encode()
    assert is_shard_elsewhere(503, said)
    assert not is_shard_elsewhere(500, said)
    other = json.dumps({"error": {"code": "unavailable", "message": "shard_elsewhere"}})
    assert not is_shard_elsewhere(503, other.encode())
    assert not is_shard_elsewhere(503, b"shard_elsewhere, not JSON")


class FakeTrading:
    """Trading replicas' answers to the map's question, over httpx's transport."""

    def __init__(self, placement: Placement) -> None:
        self.placement = placement
        self.down: set[str] = set()
        self.asked: list[str] = []
        self.delay = 0.0

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        host = f"{request.url.scheme}://{request.url.netloc.decode()}"
        self.asked.append(host)
        assert request.url.path == MAP_PATH
        assert request.headers["x-service-key"] == "key"
        if host in self.down:
            raise httpx.ConnectError("refused", request=request)
        await asyncio.sleep(self.delay)
        return httpx.Response(200, json=self.placement.to_json())


def shard_map(trading: FakeTrading, timeout: float = 1.0, every: float = 1.0) -> ShardMap:
    client = httpx.AsyncClient(
        transport=httpx.MockTransport(trading), headers={"x-service-key": "key"}
    )
    urls = [A.address or "", B.address or ""]
    return ShardMap(urls, "key", timeout=timeout, every=every, client=client)


async def test_the_map_is_asked_of_the_first_url_that_answers_and_kept() -> None:
    trading = FakeTrading(two_shards(A, B))
    trading.down.add(A.address or "")
    found = shard_map(trading)
    try:
        assert await found.current() == two_shards(A, B)
        assert trading.asked == [A.address, B.address]
        await found.refresh()
        assert trading.asked[-1] == B.address  # the one that answered is asked first
        trading.down.add(B.address or "")
        assert await found.refresh() == two_shards(A, B)  # nobody answers: the last known
    finally:
        await found.close()


async def test_concurrent_refreshes_ask_once_and_a_slow_answer_keeps_nobody_waiting() -> None:
    trading = FakeTrading(two_shards(A, B))
    trading.delay = 0.2
    found = shard_map(trading, timeout=1.0)
    try:
        answers = await asyncio.gather(*(found.refresh() for _ in range(20)))
        assert answers == [two_shards(A, B)] * 20
        assert len(trading.asked) == 1
        trading.delay, trading.placement = 5.0, two_shards(B, B)
        started = asyncio.get_running_loop().time()
        bounded = shard_map(trading, timeout=0.3)
        assert await bounded.refresh() is None  # no answer within its timeout
        assert asyncio.get_running_loop().time() - started < 1.0
        await bounded.close()
    finally:
        await found.close()


async def test_the_map_refreshes_itself_in_the_background() -> None:
    trading = FakeTrading(two_shards(A, B))
    found = shard_map(trading, every=0.05)
    await found.start()
    try:
        await asyncio.sleep(0.02)
        assert await found.current() == two_shards(A, B)
        trading.placement = two_shards(B, B)
        await asyncio.sleep(0.2)
        assert await found.current() == two_shards(B, B)  # from memory, no question asked
        assert len(trading.asked) >= 3
    finally:
        await found.close()
