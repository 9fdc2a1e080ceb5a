"""Two trading replicas on one PostgreSQL database and one Redis, two shards, and the
gateway in front: every trader's requests and socket reach the replica that writes their
accounts, whichever shard they are in.

Each service is a Platform of its own with its HTTP server on a port of its own (as
`astratrade serve --service X` runs it), beside the outbox relay; the gateway is the real
gateway app, served the same way, with trading's URL naming both replicas (`A|B`). Replica
A starts alone (it writes both shards and opens every practice account), then B joins and
takes a shard; a gateway whose map still says A holds everything sends B's traders to A,
which answers shard_elsewhere, and the gateway sends them on, once, to B."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from decimal import Decimal
from typing import Any

import httpx
import pytest
import uvicorn
import websockets
from fastapi import FastAPI

from astratrade.bootstrap import bootstrap
from astratrade.config import Settings
from astratrade.entrypoints.app import create_app
from astratrade.entrypoints.gateway.app import create_gateway
from astratrade.financial.adapters.trading_funds import HttpTrading
from astratrade.infrastructure import shard_map
from astratrade.infrastructure.db import create_engine
from astratrade.infrastructure.migrations import migrate
from astratrade.infrastructure.redis_backbone import RedisBackbone
from astratrade.infrastructure.service_calls import SERVICE_KEY_HEADER
from astratrade.infrastructure.shard_leases import Placement
from astratrade.shared.shards import shard_of
from astratrade.users.adapters.passwords import Argon2Hasher

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

API = "/api/v1"
PASSWORD = "correct horse battery"
WAIT = 20.0
SHARDS = 2
PER_SHARD = 2  # traders on each shard


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@asynccontextmanager
async def serving(app: FastAPI, port: int) -> AsyncIterator[None]:
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # raises why it did not start
        await asyncio.sleep(0.02)
    try:
        yield
    finally:
        server.should_exit = True
        await task


@asynccontextmanager
async def relaying(settings: Settings) -> AsyncIterator[None]:
    """The outbox relay, as `astratrade worker relay` runs it."""
    platform = bootstrap(settings.model_copy(update={"service": None, "event_workers": "external"}))
    backbone = platform.backbone
    assert isinstance(backbone, RedisBackbone)
    stop = asyncio.Event()
    task = asyncio.create_task(backbone.relay.run(stop))
    try:
        yield
    finally:
        stop.set()
        await task
        await platform.stop()


async def until(
    check: Callable[..., Awaitable[Any]], what: str, within: float = WAIT, **args: Any
) -> Any:
    deadline = time.monotonic() + within
    while True:
        found = await check(**args)
        if found:
            return found
        assert time.monotonic() < deadline, f"not within {within} s: {what}"
        await asyncio.sleep(0.05)


class Trader:
    def __init__(self, client: httpx.AsyncClient, user_id: str, token: str) -> None:
        self.client, self.user_id, self.token = client, user_id, token
        self.client.headers["Authorization"] = f"Bearer {token}"
        self.shard = shard_of(user_id, SHARDS)
        self.account_id = ""

    async def practice_account(self) -> str:
        async def found() -> str | None:
            answer = await self.client.get(f"{API}/accounts")
            assert answer.status_code == 200, answer.text
            practice = [a["account_id"] for a in answer.json() if a["kind"] == "practice"]
            return practice[0] if practice else None

        self.account_id = await until(found, f"the practice account of {self.user_id}")
        assert shard_of(self.account_id, SHARDS) == self.shard  # opened in the owner's shard
        return self.account_id

    async def order(self, **fields: Any) -> httpx.Response:
        body = {"account_id": self.account_id, "market": "BTC-USD", "side": "buy", **fields}
        return await self.client.post(f"{API}/orders", json=body)


class Cluster:
    def __init__(self, stack: AsyncExitStack, base: Settings, ports: dict[str, int]) -> None:
        self.stack, self.base, self.ports = stack, base, ports
        self.replicas: dict[str, FastAPI] = {}
        self.internal = httpx.AsyncClient(
            timeout=WAIT, headers={SERVICE_KEY_HEADER: base.service_key}
        )
        stack.push_async_callback(self.internal.aclose)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    async def start_service(self, context: str, name: str | None = None, **more: Any) -> FastAPI:
        settings = self.base.model_copy(update={"service": context, **more})
        platform = bootstrap(settings, hasher=Argon2Hasher(time_cost=1, memory_cost=8))
        app = create_app(platform)
        await self.stack.enter_async_context(serving(app, self.ports[name or context]))
        return app

    async def start_replica(self, name: str) -> None:
        self.replicas[name] = await self.start_service(
            "trading", name, consumer_name=f"trading-{name}", trading_advertise_url=self.url(name)
        )

    async def start_gateway(self, name: str) -> str:
        await self.stack.enter_async_context(serving(create_gateway(self.base), self.ports[name]))
        return self.url(name)

    async def placement(self) -> Placement:
        answer = await self.internal.get(self.url("a") + "/internal/v1/shards")
        assert answer.status_code == 200, answer.text
        return Placement.from_json(answer.json())

    async def sign_up(self, gateway: str, name: str) -> Trader:
        client = httpx.AsyncClient(base_url=gateway, timeout=WAIT)
        self.stack.push_async_callback(client.aclose)
        registered = await client.post(
            f"{API}/auth/register",
            json={"email": f"{name}@example.com", "username": name, "password": PASSWORD},
        )
        assert registered.status_code == 201, registered.text
        logged_in = await client.post(
            f"{API}/auth/login", json={"username": name, "password": PASSWORD}
        )
        assert logged_in.status_code == 200, logged_in.text
        return Trader(client, registered.json()["user_id"], logged_in.json()["access_token"])


@pytest.fixture
async def cluster(
    fresh_postgres_url: str, redis_url: str, redis_prefix: str
) -> AsyncIterator[Cluster]:
    migration_job = create_engine(fresh_postgres_url)
    await migrate(migration_job)
    await migration_job.dispose()
    ports = {name: free_port() for name in ("users", "a", "b", "other", "gateway", "stale")}
    other = f"http://127.0.0.1:{ports['other']}"  # financial, gamification, social: not running
    trading = f"http://127.0.0.1:{ports['a']}|http://127.0.0.1:{ports['b']}"
    base = Settings(
        database_url=fresh_postgres_url,
        redis_url=redis_url,
        redis_prefix=redis_prefix,
        price_feed="manual",
        clock="system",
        jwt_secret="s" * 40,
        embedded=False,
        service_urls=f"users=http://127.0.0.1:{ports['users']},trading={trading},"
        f"financial={other},gamification={other},social={other}",
        consumer_lease_ms=1_000,
        trading_shards=SHARDS,
        # Rounds every 1.5 s; a lease is lost only after 3.75 s without one. Every replica
        # shares this test's event loop: a loaded run has starved a 1.5 s lease.
        trading_shard_lease_seconds=4.5,
        rate_limit_register_per_ip="",
        rate_limit_login_per_ip="",
        rate_limit_orders_per_ip="",
    )
    async with AsyncExitStack() as stack:
        running = Cluster(stack, base, ports)
        await stack.enter_async_context(relaying(base))
        await running.start_service("users")
        yield running


def holders(placement: Placement) -> list[str | None]:
    return [h.name if h else None for h in placement.holders]


async def test_traders_on_both_shards_are_served_through_the_gateway(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="astratrade.entrypoints.gateway.shard_routing")
    await cluster.start_replica("a")
    alone = await until(cluster.placement, "replica a's leases")
    assert holders(alone) == ["trading-a", "trading-a"]
    assert alone.addresses() == [cluster.url("a")]

    # A gateway that does not refresh its map by itself: it will lag b's arrival.
    monkeypatch.setattr(shard_map, "REFRESH_SECONDS", 3600.0)
    stale = await cluster.start_gateway("stale")
    monkeypatch.undo()
    gateway = await cluster.start_gateway("gateway")
    traders = await sign_up_on_each_shard(cluster, gateway)
    stale_client = httpx.AsyncClient(base_url=stale, timeout=WAIT)
    cluster.stack.push_async_callback(stale_client.aclose)
    assert (await stale_client.get(f"{API}/markets")).status_code == 200  # its map: a, a

    await cluster.start_replica("b")
    placement = await until(split, "a and b holding a shard each", cluster=cluster)
    b_shard = holders(placement).index("trading-b")
    assert placement.addresses() == sorted([cluster.url("a"), cluster.url("b")])
    on_b = next(t for t in traders if t.shard == b_shard)

    # Through the stale gateway: the order goes to a first, which does nothing
    # (shard_elsewhere); the gateway asks the map again and sends it on, once, to b.
    stale_client.headers["Authorization"] = f"Bearer {on_b.token}"
    order = {"account_id": on_b.account_id, "market": "BTC-USD", "side": "buy"}
    resent = await stale_client.post(
        f"{API}/orders", json={**order, "type": "market", "size": "0.001"}
    )
    assert resent.status_code == 201, resent.text
    retried = [
        r.getMessage() for r in caplog.records if "answered shard_elsewhere" in r.getMessage()
    ]
    assert len(retried) == 1
    assert retried[0].startswith(cluster.url("a"))

    # Through the gateway that keeps its map fresh: straight to each trader's replica.
    await asyncio.sleep(1.5)  # a background refresh at least since b took its shard
    caplog.clear()
    for trader in traders:
        await trade_and_read(trader, Decimal("0.001") if trader is on_b else Decimal(0))
    assert not [r for r in caplog.records if "answered shard_elsewhere" in r.getMessage()]
    async with httpx.AsyncClient(base_url=gateway) as nobody:  # no token: any replica
        for _ in range(4):
            markets = await nobody.get(f"{API}/markets")
            assert markets.status_code == 200, markets.text

    one_per_shard = [next(t for t in traders if t.shard == s) for s in range(SHARDS)]
    for trader in one_per_shard:
        await live_orders(cluster, gateway, trader, by_query=trader.shard == b_shard)
    await financial_asks(cluster, traders)


async def sign_up_on_each_shard(cluster: Cluster, gateway: str) -> list[Trader]:
    """PER_SHARD traders on each shard, with their practice accounts (opened by a, the
    only replica yet)."""
    traders: list[Trader] = []
    for n in range(40):
        if all(sum(t.shard == s for t in traders) >= PER_SHARD for s in range(SHARDS)):
            break
        trader = await cluster.sign_up(gateway, f"trader{n}")
        if sum(t.shard == trader.shard for t in traders) < PER_SHARD:
            traders.append(trader)
    for trader in traders:
        await trader.practice_account()
    return traders


async def split(cluster: Cluster) -> Placement | None:
    placement = await cluster.placement()
    shared = sorted(map(str, holders(placement))) == ["trading-a", "trading-b"]
    return placement if shared else None


async def trade_and_read(trader: Trader, before: Decimal) -> None:
    """A fill, an order placed and cancelled, and the position read back."""
    filled = await trader.order(type="market", size="0.002")
    assert filled.status_code == 201, filled.text
    resting = await trader.order(type="limit", size="0.001", price="1000")
    assert resting.status_code == 201, resting.text
    cancelled = await trader.client.delete(f"{API}/orders/{resting.json()['order_id']}")
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    positions = await trader.client.get(
        f"{API}/positions", params={"account_id": trader.account_id}
    )
    assert positions.status_code == 200, positions.text
    (btc,) = [p for p in positions.json() if p["market"] == "BTC-USD"]
    assert Decimal(btc["size"]) == before + Decimal("0.002")


async def live_orders(cluster: Cluster, gateway: str, trader: Trader, *, by_query: bool) -> None:
    """The trader's socket, signed in by ?token= or by a first message, is relayed to the
    hub of their shard's replica and gets their `orders` events."""
    url = gateway.replace("http", "ws", 1) + f"{API}/ws"
    async with websockets.connect(f"{url}?token={trader.token}" if by_query else url) as ws:
        if not by_query:
            await ws.send(json.dumps({"type": "auth", "token": trader.token}))
        await ws.send(json.dumps({"type": "subscribe", "channel": "orders"}))
        await next_message(ws, lambda m: m.get("type") == "subscribed")
        writer = (await cluster.placement()).holder(trader.shard)
        assert writer is not None
        for name, replica in cluster.replicas.items():  # on that replica's hub only
            on_it = replica.state.hub.count_of(trader.user_id)
            assert on_it == (1 if writer.name == f"trading-{name}" else 0)
        placed = await trader.order(type="limit", size="0.001", price="1001")
        assert placed.status_code == 201, placed.text
        order_id = placed.json()["order_id"]
        event = await next_message(
            ws,
            lambda m: (
                m.get("type") == "event"
                and m.get("channel") == "orders"
                and (m.get("data") or {}).get("order_id") == order_id
            ),
        )
        assert event["data"]["type"] == "OrderAccepted"


async def financial_asks(cluster: Cluster, traders: list[Trader]) -> None:
    """Financial's client: an account's funds of its shard's replica, and every account's
    collateral of any replica."""
    financial = HttpTrading(
        cluster.base.service_urls_of("trading"), cluster.base.service_key, WAIT, SHARDS
    )
    try:
        for trader in traders:
            funds = await financial.funds_of(trader.account_id)
            assert funds is not None
            assert funds.owner_id == trader.user_id
        collateral = await financial.collateral()
        assert {t.account_id for t in traders} <= collateral.keys()
    finally:
        await financial.close()


async def next_message(ws: Any, wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), deadline - time.monotonic()))
        if wanted(message):
            return dict(message)
