"""The gateway's choice of a trading replica, behind the shard map's port (a fake map, a
fake transport for the replicas): a trader's request to their shard's holder, one signed
by nobody to any replica, a shard_elsewhere answer sent on once after the map is asked
again, and a shard without holder answered 503 with its number and Retry-After."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI, Request
from starlette.responses import Response

from astratrade.config import Settings
from astratrade.entrypoints.cli import reachable_at
from astratrade.entrypoints.gateway.shard_routing import forward_by_shard
from astratrade.entrypoints.gateway.upstreams import Upstreams
from astratrade.infrastructure.shard_leases.placement import Placement, Replica
from astratrade.infrastructure.shard_map import ShardRoutes
from astratrade.shared.shards import shard_of

A = Replica("a", "http://10.0.0.1:8000")
B = Replica("b", "http://10.0.0.2:8000")
ELSEWHERE = {"error": {"code": "shard_elsewhere", "message": "written by another replica"}}


class FakeLocator:
    def __init__(self, placement: Placement, then: Placement | None = None) -> None:
        self.placement, self.then, self.refreshes = placement, then, 0

    async def current(self) -> Placement:
        return self.placement

    async def refresh(self) -> Placement:
        self.refreshes += 1
        self.placement = self.then or self.placement
        return self.placement

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None


class Replicas:
    """What each replica answers, and which were asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.elsewhere: set[str] = set()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        host = f"http://{request.url.netloc.decode()}"
        self.asked.append(host)
        if host in self.elsewhere:
            return httpx.Response(503, json=ELSEWHERE, headers={"Retry-After": "1"})
        return httpx.Response(201, json={"served_by": host, "body": request.content.decode()})


def user_in(shard: int) -> str:
    return next(f"user-{n}" for n in range(1000) if shard_of(f"user-{n}", 2) == shard)


@pytest.fixture
def replicas() -> Replicas:
    return Replicas()


def gateway(replicas: Replicas, locator: FakeLocator) -> FastAPI:
    upstreams = Upstreams(Settings(jwt_secret="x" * 32))
    upstreams.clients["trading"] = httpx.AsyncClient(transport=httpx.MockTransport(replicas))
    routes = ShardRoutes(locator, "http://trading:8000")
    app = FastAPI()

    @app.post("/api/v1/orders")
    async def orders(request: Request) -> Response:
        return await forward_by_shard(request, request.headers.get("x-user"), routes, upstreams)

    return app


@pytest.fixture
async def client_of(replicas: Replicas) -> AsyncIterator[object]:
    made: list[httpx.AsyncClient] = []

    def make(locator: FakeLocator) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=gateway(replicas, locator))
        client = httpx.AsyncClient(transport=transport, base_url="http://gateway")
        made.append(client)
        return client

    yield make
    for client in made:
        await client.aclose()


async def test_a_traders_request_goes_to_their_shards_holder(replicas, client_of) -> None:
    client = client_of(FakeLocator(Placement(2, (A, B), (A, B))))
    for shard, holder in ((0, A), (1, B)):
        answer = await client.post("/api/v1/orders", headers={"x-user": user_in(shard)})
        assert answer.json()["served_by"] == holder.address
    nobody = [await client.post("/api/v1/orders") for _ in range(2)]
    assert {a.json()["served_by"] for a in nobody} == {A.address, B.address}


async def test_shard_elsewhere_is_sent_on_once_with_its_body_after_asking_again(
    replicas, client_of
) -> None:
    locator = FakeLocator(Placement(2, (A, A), (A,)), then=Placement(2, (A, B), (A, B)))
    client = client_of(locator)
    replicas.elsewhere.add(A.address or "")
    answer = await client.post(
        "/api/v1/orders", headers={"x-user": user_in(1)}, content=b'{"size": "1"}'
    )
    assert answer.status_code == 201
    assert answer.json() == {"served_by": B.address, "body": '{"size": "1"}'}
    assert replicas.asked == [A.address, B.address]
    assert locator.refreshes == 1


async def test_a_second_shard_elsewhere_is_answered_as_is(replicas, client_of) -> None:
    client = client_of(FakeLocator(Placement(2, (A, A), (A,))))  # the map does not move
    replicas.elsewhere.add(A.address or "")
    answer = await client.post("/api/v1/orders", headers={"x-user": user_in(1)})
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "shard_elsewhere"
    assert replicas.asked == [A.address, A.address]  # sent twice, no more


async def test_a_shard_without_holder_answers_503_naming_it(replicas, client_of) -> None:
    client = client_of(FakeLocator(Placement(2, (A, None), (A,))))
    answer = await client.post("/api/v1/orders", headers={"x-user": user_in(1)})
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "1"
    error = answer.json()["error"]
    assert (error["code"], error["shard"]) == ("shard_unavailable", 1)
    assert "shard 1 (of 2)" in error["message"]
    assert replicas.asked == []  # nothing sent anywhere


def test_a_replica_says_where_it_listens_unless_on_every_interface() -> None:
    assert reachable_at("127.0.0.1", 8101) == "http://127.0.0.1:8101"
    assert reachable_at("trading-0.trading", 8000) == "http://trading-0.trading:8000"
    assert reachable_at("::1", 8000) == "http://[::1]:8000"
    assert reachable_at("0.0.0.0", 8000) is None  # noqa: S104
    assert reachable_at("::", 8000) is None
