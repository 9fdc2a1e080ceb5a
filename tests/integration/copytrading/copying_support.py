"""Copies on a whole platform (SQLite or PostgreSQL) with the platform's own trading: real
practice accounts, a leader's real orders at manual marks, copy accounts funded, traded,
stopped and returned by trading, every event going through the platform's subscriptions.
Nothing of trading is faked; the leader's eligibility (level and closes) is seeded in copy
trading's read models (its own tests walk it from real trades), the opt-in is the real one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, select
from trading_platform import market_order, reconcile, set_mark

from astratrade.copytrading.adapters.tables import closed_positions, levels, practice_accounts
from astratrade.entrypoints.app import create_app
from astratrade.infrastructure import event_store
from astratrade.platform import Platform
from astratrade.shared.messages import Envelope
from astratrade.trading.adapters import tables as t
from astratrade.trading.domain.orders import Side

API = "/api/v1"
PASSWORD = "correct horse"
D = Decimal


class Api:
    def __init__(self, http: httpx.AsyncClient, platform: Platform) -> None:
        self.http, self.platform = http, platform
        self.tokens: dict[str, str] = {}
        self.ids: dict[str, str] = {}
        self.accounts: dict[str, str] = {}  # each trader's practice account

    async def sign_up(self, *names: str) -> None:
        for name in names:
            body = {"email": f"{name}@example.com", "username": name, "password": PASSWORD}
            answer = await self.http.post(f"{API}/auth/register", json=body)
            assert answer.status_code == 201, answer.text
            self.ids[name] = answer.json()["user_id"]
            await self.login(name)
        await self.platform.backbone.drain()
        for name in names:
            self.accounts[name] = await practice_account(self.platform, self.ids[name])

    async def login(self, name: str) -> None:
        answer = await self.http.post(
            f"{API}/auth/login", json={"username": name, "password": PASSWORD}
        )
        assert answer.status_code == 200, answer.text
        self.tokens[name] = answer.json()["access_token"]

    async def call(self, name: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[name]}"}
        answer = await self.http.request(method, f"{API}{path}", headers=headers, **kwargs)
        await self.platform.backbone.drain()
        return answer

    async def subscribe(self, name: str, plan: str = "pro") -> None:
        """The trader's plan through financial (copy trading learns its slots from it)."""
        answer = await self.call(name, "PUT", "/subscription", json={"plan": plan})
        assert answer.status_code == 200, answer.text

    async def lead(self, name: str, share: str = "0.1") -> None:
        """`name` leads from the practice account: level 3 and twenty closes seeded in copy
        trading's read models, then the opt-in over HTTP, which trading follows."""
        await seed_eligible(self.platform, self.ids[name], self.accounts[name])
        answer = await self.call(name, "POST", "/leaders/me", json={"profit_share": share})
        assert answer.status_code == 200, answer.text

    async def trade(self, name: str, size: str, side: str, market: str = "BTC-USD") -> None:
        """A market order of the trader's practice account."""
        await self.platform.bus.execute(
            market_order(self.ids[name], self.accounts[name], size, Side(side), market)
        )
        await self.platform.backbone.drain()

    async def mark(self, market: str, price: str) -> None:
        await set_mark(self.platform, market, price)
        await self.platform.backbone.drain()

    async def copy(self, name: str, copy_id: str) -> dict[str, Any]:
        answer = await self.call(name, "GET", f"/copies/{copy_id}")
        assert answer.status_code == 200, answer.text
        found: dict[str, Any] = answer.json()
        return found

    async def decisions(self, name: str, copy_id: str) -> list[dict[str, Any]]:
        answer = await self.call(name, "GET", f"/copies/{copy_id}/decisions?limit=100")
        items: list[dict[str, Any]] = answer.json()["items"]
        return items


@pytest.fixture
async def api(platform: Platform) -> AsyncIterator[Api]:
    app = create_app(platform, metrics=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield Api(http, platform)


async def practice_account(platform: Platform, user_id: str) -> str:
    p = practice_accounts.c
    async with platform.read_db.connect() as conn:
        found = await conn.scalar(select(p.account_id).where(p.owner_id == user_id))
    assert found is not None
    return str(found)


async def seed_eligible(platform: Platform, user_id: str, account_id: str) -> None:
    """Level 3 and twenty closed positions, as the read models hold them after real ones."""
    now = platform.clock.now()
    async with platform.db.begin() as conn:
        await conn.execute(insert(levels).values(user_id=user_id, level=3))
        await conn.execute(
            insert(closed_positions),
            [
                {
                    "position_id": f"{account_id[:24]}-{n}",
                    "account_id": account_id,
                    "owner_id": user_id,
                    "market": "ETH-USD",
                    "opened_at": now - timedelta(hours=2),
                    "closed_at": now - timedelta(hours=1),
                    "realized_pnl": D(1),
                    "equity_at_open": D(10_000),
                    "liquidated": False,
                    "sequence": n,
                }
                for n in range(20)
            ],
        )


async def collateral(platform: Platform, *account_ids: str) -> list[Decimal]:
    """Each account's collateral as trading committed it."""
    async with platform.read_db.connect() as conn:
        rows: dict[str, Any] = dict(
            (await conn.execute(select(t.accounts.c.id, t.accounts.c.collateral))).all()
        )
    return [D(rows[a]) for a in account_ids]


async def payloads(platform: Platform, aggregate_id: str, event_type: str) -> list[dict[str, Any]]:
    """The payloads of one aggregate's events of a type, from the audit log."""
    async with platform.read_db.connect() as conn:
        history = await event_store.history(conn, aggregate_id)
    return [e.payload for e in history if e.type == event_type]


async def events_of(platform: Platform, aggregate_id: str, event_type: str) -> list[Envelope]:
    async with platform.read_db.connect() as conn:
        history = await event_store.history(conn, aggregate_id)
    return [e for e in history if e.type == event_type]


async def redeliver(platform: Platform, envelope: Envelope) -> None:
    """The same event handed to the bus again, as an at-least-once transport may."""
    platform.backbone.committed([envelope])  # type: ignore[attr-defined]
    await platform.backbone.drain()


async def reconciled(platform: Platform) -> None:
    report = await reconcile(platform)
    assert report.findings == []
