"""Copy trading's events driven into trading's subscriptions on SQLite and PostgreSQL, with
one shard and with two: copy accounts opened and funded, copied orders placed once per
decision, refusals reported, the floor closing a copy out, flattening, the profit share
debited in the copy's shard and credited in the leader's (trading's own ProfitShareDebited,
through its own stream), the return; the ledger reconciles throughout and copy accounts
come back from the database as they were."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from itertools import count
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from trading_platform import market_order, new_trader, reconcile, set_mark

from astratrade.bootstrap import bootstrap
from astratrade.config import Settings
from astratrade.financial.adapters.tables import transfers
from astratrade.infrastructure import event_store, tracking
from astratrade.infrastructure.delivery import deliver
from astratrade.infrastructure.web.http import install_error_handlers
from astratrade.platform import Platform
from astratrade.shared.bus import BatchHandler
from astratrade.shared.delivery import Delivery
from astratrade.shared.messages import Envelope
from astratrade.trading.adapters import tables as t
from astratrade.trading.api import internal
from astratrade.trading.domain.account_terms import CopyState
from astratrade.trading.domain.shards import Shards
from astratrade.trading.engine import TradingEngine
from astratrade.users.adapters.passwords import Argon2Hasher

D = Decimal
KEY = "the-service-key"
_event_ids = (f"copy-event-{n}" for n in count())
NOW_ISO = datetime(2026, 1, 5, 10, tzinfo=UTC)


@pytest.fixture(params=[1, 2], ids=["one-shard", "two-shards"])
async def platform(
    request: pytest.FixtureRequest, database_url: str, clock: Any
) -> AsyncIterator[Platform]:
    settings = Settings(
        database_url=database_url,
        price_feed="manual",
        clock="manual",
        jwt_secret="x" * 32,
        trading_shards=request.param,
    )
    running = bootstrap(settings, clock=clock, hasher=Argon2Hasher(time_cost=1, memory_cost=8))
    await running.start()
    yield running
    await running.stop()


async def publish(platform: Platform, event_type: str, payload: dict[str, Any]) -> str:
    """Deliver the event to every trading group subscribed to it (each acts on its shard's
    accounts), as the consumers would; then let trading's own events flow."""
    event_id = str(uuid4())
    envelope = Envelope(
        event_id=event_id,
        type=event_type,
        version=1,
        context="copytrading",
        aggregate_id="copy",
        aggregate_version=1,
        occurred_at=platform.clock.now(),
        payload=payload,
    )
    for subscription in platform.bus.subscriptions():
        if subscription.event_type == event_type and subscription.consumer.startswith("trading"):
            await deliver(subscription, envelope, Delivery(subscription.consumer, event_id))
    await platform.backbone.drain()
    return event_id


class Copy:
    """One copy's payloads, as copy trading publishes them."""

    def __init__(self, platform: Platform, copier: tuple[str, str], leader: tuple[str, str]):
        shards = Shards(platform.settings.trading_shards)
        self.copier, self.source = copier
        self.leader, self.leader_account = leader
        self.copy_id = str(uuid4())
        self.account = shards.new_id(lambda: str(uuid4()), shards.of(self.source))

    def names(self) -> dict[str, Any]:
        return {
            "copy_id": self.copy_id,
            "copier_id": self.copier,
            "leader_id": self.leader,
            "copy_account_id": self.account,
        }

    def started(self, allocation: str, max_loss: str = "0.5") -> dict[str, Any]:
        return {
            **self.names(),
            "source_account_id": self.source,
            "leader_account_id": self.leader_account,
            "allocation": allocation,
            "max_loss": max_loss,
            "profit_share": "0.1",
            "started_at": "2026-01-05T10:00:00+00:00",
        }

    def fill(self, decision: str, size: str, side: str = "buy", **more: Any) -> dict[str, Any]:
        return {
            **self.names(),
            "leader_fill_id": "leader-fill",
            "market": "BTC-USD",
            "leader_size": "1",
            "leader_price": "60000",
            "action": "open",
            "side": side,
            "size": size,
            "leverage": "10",
            "reduce_only": False,
            "decision_id": decision,
            **more,
        }

    def charged(self, amount: str) -> dict[str, Any]:
        return {
            **self.names(),
            "leader_account_id": self.leader_account,
            "amount": amount,
            "cumulative_net_pnl": "0",
            "high_water_mark": "0",
            "period": "weekly",
        }

    def closed(self, profit_share: str) -> dict[str, Any]:
        return {
            **self.names(),
            "source_account_id": self.source,
            "returned": "0",
            "reason": "by_copier",
            "leader_account_id": self.leader_account,
            "profit_share": profit_share,
        }


async def collateral(platform: Platform) -> dict[str, D]:
    async with platform.read_db.connect() as conn:
        rows = await conn.execute(select(t.accounts.c.id, t.accounts.c.collateral))
        return {row.id: row.collateral for row in rows}


async def types_of(platform: Platform, aggregate_id: str) -> list[str]:
    async with platform.read_db.connect() as conn:
        return [e.type for e in await event_store.history(conn, aggregate_id)]


async def payloads(platform: Platform, aggregate_id: str, event_type: str) -> list[dict[str, Any]]:
    async with platform.read_db.connect() as conn:
        history = await event_store.history(conn, aggregate_id)
    return [e.payload for e in history if e.type == event_type]


async def leader_and_copier(platform: Platform) -> Copy:
    """A leader and a copier whose accounts are in different shards when there are two."""
    shards = Shards(platform.settings.trading_shards)
    leader = await new_trader(platform, "leader")
    copier = await new_trader(platform, "copier0")
    n = 1
    while shards.count > 1 and shards.of(copier[1]) == shards.of(leader[1]):
        copier = await new_trader(platform, f"copier{n}")
        n += 1
    return Copy(platform, copier, leader)


async def test_a_copy_from_start_to_close_moves_money_once_and_reconciles(
    platform: Platform,
) -> None:
    copy = await leader_and_copier(platform)
    total = sum((await collateral(platform)).values())
    await publish(
        platform,
        "LeaderOptedIn",
        {"leader_id": copy.leader, "account_id": copy.leader_account, "profit_share": "0.1"},
    )
    await platform.bus.execute(market_order(copy.leader, copy.leader_account, "0.01"))
    await platform.backbone.drain()
    (filled,) = await payloads(platform, copy.leader_account, "LeaderFilled")
    assert (D(filled["size"]), D(filled["position_before"]), filled["liquidation"]) == (
        D("0.01"),
        D(0),
        False,
    )

    await publish(platform, "CopyStarted", copy.started("1000"))
    await publish(platform, "CopyStarted", copy.started("1000"))  # a second delivery: once
    funds = await collateral(platform)
    assert (funds[copy.account], funds[copy.source]) == (D(1000), D(9000))
    assert "CopyAccountFunded" in await types_of(platform, copy.account)

    await publish(platform, "LeaderFillCopied", copy.fill("decision-1", "0.01"))
    await publish(platform, "LeaderFillCopied", copy.fill("decision-1", "0.01"))  # same decision
    await publish(platform, "LeaderFillCopied", copy.fill("decision-2", "5"))  # far too big
    async with platform.read_db.connect() as conn:
        orders = (
            await conn.execute(
                select(t.orders.c.client_order_id).where(t.orders.c.account_id == copy.account)
            )
        ).all()
    assert [o.client_order_id for o in orders] == ["decision-1"]
    (refused,) = await payloads(platform, copy.account, "CopyOrderRefused")
    assert (refused["decision_id"], refused["code"]) == ("decision-2", "insufficient_margin")

    charge = await publish(platform, "ProfitShareCharged", copy.charged("25"))
    (debited,) = await payloads(platform, copy.account, "ProfitShareDebited")
    assert (D(debited["amount"]), debited["transfer_id"]) == (D(25), charge)
    credits = await payloads(platform, copy.leader_account, "CollateralDeposited")
    assert [c["transfer_id"] for c in credits if c["reason"] == "profit_share"] == [charge]

    await publish(platform, "CopyStopping", {**copy.names(), "reason": "by_copier"})
    (flat,) = await payloads(platform, copy.account, "CopyAccountFlattened")
    await publish(platform, "CopyClosed", copy.closed("10"))
    funds = await collateral(platform)
    assert funds[copy.account] == 0
    assert funds[copy.source] == D(9000) + D(flat["collateral"]) - D(10)
    assert sum(funds.values()) == total  # every share credited: nothing in transit
    report = await reconcile(platform)
    assert report.findings == []

    async with platform.read_db.connect() as conn:
        listed = await conn.scalar(select(func.count()).select_from(transfers))
        row = (await conn.execute(select(t.accounts).where(t.accounts.c.id == copy.account))).one()
    assert listed == 0  # a copy's movements are not transfers the trader asked financial for
    assert (row.kind, row.copy_id, row.copy_floor, row.copy_state) == (
        "copy",
        copy.copy_id,
        D(500),
        CopyState.CLOSED.value,
    )


async def test_the_floor_closes_a_copy_out_on_a_price_batch(platform: Platform) -> None:
    copy = await leader_and_copier(platform)
    await publish(platform, "CopyStarted", copy.started("1000", "0.5"))
    await publish(platform, "LeaderFillCopied", copy.fill("decision-1", "0.1"))
    await set_mark(platform, "BTC-USD", "57000")
    assert "CopyStopLossReached" not in await types_of(platform, copy.account)
    await set_mark(platform, "BTC-USD", "55000")
    await platform.backbone.drain()
    (reached,) = await payloads(platform, copy.account, "CopyStopLossReached")
    assert D(reached["equity"]) <= D(reached["floor"]) == D(500)
    async with platform.read_db.connect() as conn:
        held = (
            await conn.execute(select(t.positions).where(t.positions.c.account_id == copy.account))
        ).all()
        state = await conn.scalar(
            select(t.accounts.c.copy_state).where(t.accounts.c.id == copy.account)
        )
    assert held == []
    assert state == CopyState.STOPPING.value
    await publish(platform, "LeaderFillCopied", copy.fill("decision-2", "0.01"))
    (refused,) = await payloads(platform, copy.account, "CopyOrderRefused")
    assert "stopping" in refused["message"]
    assert (await reconcile(platform)).findings == []


async def test_each_copy_event_is_tracked_in_its_shards_group(platform: Platform) -> None:
    copy = await leader_and_copier(platform)
    event_id = await publish(platform, "CopyStarted", copy.started("1000"))
    shards = Shards(platform.settings.trading_shards)
    group = (
        "trading" if shards.of(copy.account) == 0 else f"trading.shard-{shards.of(copy.account)}"
    )
    assert await tracking.applied_among(platform.read_db, group, [event_id]) == {event_id}


async def test_copy_states_are_read_through_the_internal_route(platform: Platform) -> None:
    copy = await leader_and_copier(platform)
    await publish(platform, "CopyStarted", copy.started("1000"))
    await publish(platform, "LeaderFillCopied", copy.fill("decision-1", "0.01", side="sell"))
    app = FastAPI()
    app.state.settings = SimpleNamespace(service_key=KEY)
    app.state.trading_queries = platform.port(TradingEngine).queries
    install_error_handlers(app)
    app.include_router(internal.router)
    headers = {"X-Service-Key": KEY}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        body = {"account_ids": [copy.account, "no-such-account"], "market": "BTC-USD"}
        answer = await client.post("/internal/v1/accounts/states", json=body, headers=headers)
        too_many = {"account_ids": [str(n) for n in range(1001)], "market": "BTC-USD"}
        refused = await client.post("/internal/v1/accounts/states", json=too_many, headers=headers)
        unknown = {"account_ids": [], "market": "NOPE-USD"}
        no_market = await client.post("/internal/v1/accounts/states", json=unknown, headers=headers)
        keyless = await client.post("/internal/v1/accounts/states", json=body)
    assert answer.status_code == 200
    states = answer.json()
    assert D(states["mark"]) == D(60_000)
    assert list(states["accounts"]) == [copy.account]
    state = states["accounts"][copy.account]
    assert D(state["position"]) == D("-0.01")
    assert D(state["unlocked_leverage"]) == D(10)
    assert D(state["collateral"]) < D(1000)  # the fee
    assert refused.status_code == 422
    assert "account_ids" in refused.text
    assert no_market.status_code == 422
    assert "market" in no_market.text
    assert keyless.status_code == 401


def envelope_of(event_type: str, payload: dict[str, Any]) -> Envelope:
    return Envelope(
        event_id=str(uuid4()),
        type=event_type,
        version=1,
        context="copytrading",
        aggregate_id="copy",
        aggregate_version=1,
        occurred_at=NOW_ISO,
        payload=payload,
    )


async def test_a_batch_of_copy_orders_is_placed_together_each_decision_once(
    platform: Platform,
) -> None:
    """A leader fill's copy orders handed over together (the in-process dispatcher's
    batch): one read finds which decisions have an order already, the rest are decided
    one after the other and their commits grouped; each its own tracking row. A decision
    written before, or twice in the batch, is one order; a refusal is reported."""
    copy = await leader_and_copier(platform)
    await publish(platform, "CopyStarted", copy.started("1000"))
    await publish(platform, "LeaderFillCopied", copy.fill("decision-0", "0.01"))  # before
    fills = [copy.fill(f"decision-{n}", "0.001") for n in range(6)]  # decision-0 again
    fills += [copy.fill("decision-3", "0.001"), copy.fill("decision-9", "5")]  # twice; too big
    batch = [envelope_of("LeaderFillCopied", fill) for fill in fills]
    for subscription in platform.bus.subscriptions():
        if subscription.event_type == "LeaderFillCopied" and subscription.consumer.startswith(
            "trading"
        ):
            handler = subscription.handler
            assert isinstance(handler, BatchHandler), handler
            share = [(e, Delivery(subscription.consumer, e.event_id)) for e in batch]
            await handler.handle_all(share)
    await platform.backbone.drain()

    async with platform.read_db.connect() as conn:
        placed = (
            await conn.execute(
                select(t.orders.c.client_order_id, t.orders.c.size).where(
                    t.orders.c.account_id == copy.account
                )
            )
        ).all()
        tracked = await conn.scalar(
            select(func.count())
            .select_from(tracking.tracking)
            .where(tracking.tracking.c.event_id.in_([e.event_id for e in batch]))
        )
    assert sorted(o.client_order_id for o in placed) == [f"decision-{n}" for n in range(6)]
    assert {o.size for o in placed if o.client_order_id != "decision-0"} == {D("0.001")}
    (refused,) = await payloads(platform, copy.account, "CopyOrderRefused")
    assert refused["decision_id"] == "decision-9"
    assert tracked == len(batch)  # in the copy account's shard's group
    report = await reconcile(platform)
    assert report.findings == []
