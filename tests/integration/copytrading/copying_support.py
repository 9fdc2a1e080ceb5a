"""Copies on a whole platform (SQLite or PostgreSQL) before trading answers them: a fake
`TradingQueries.copy_states` holding each copy account's state as the test sets it, a
leader seeded in copy trading's tables, and trading's events to copy trading handed to
the bus as trading would publish them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, insert

from astratrade.copytrading.adapters import statistics
from astratrade.copytrading.adapters.tables import leaders, plans
from astratrade.entrypoints.app import create_app
from astratrade.platform import Platform
from astratrade.shared.ids import new_id
from astratrade.shared.messages import Envelope
from astratrade.trading.copy_views import CopyAccountState, CopyStates
from astratrade.trading.queries import TradingQueries

API = "/api/v1"
PASSWORD = "correct horse"


@dataclass
class FakeTrading:
    """What trading would answer for each account and market; the reads it was asked."""

    marks: dict[str, Decimal] = field(default_factory=dict)
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    reads: list[tuple[int, str]] = field(default_factory=list)
    positions: dict[tuple[str, str], str] = field(default_factory=dict)

    def hold_position(self, account_id: str, market: str, size: str) -> None:
        self.positions[(account_id, market)] = size

    def hold(self, account_id: str, **state: str | int) -> None:
        base = {"equity": 0, "available": 0, "collateral": 0}
        self.accounts[account_id] = {
            **base,
            "unlocked_leverage": 20,
            **self.accounts.get(account_id, {}),
            **state,
        }

    async def copy_states(self, account_ids: list[str], market: str) -> CopyStates:
        self.reads.append((len(account_ids), market))
        known = {a: self.accounts[a] for a in account_ids if a in self.accounts}
        states = {
            a: CopyAccountState(
                **{k: Decimal(str(v)) for k, v in s.items()},
                position=Decimal(self.positions.get((a, market), "0")),
            )
            for a, s in known.items()
        }
        return CopyStates(mark=Decimal(self.marks.get(market, 60000)), accounts=states)


@pytest.fixture
def trading(monkeypatch: pytest.MonkeyPatch) -> FakeTrading:
    fake = FakeTrading()

    async def copy_states(_self: object, account_ids: list[str], market: str) -> Any:
        return await fake.copy_states(account_ids, market)

    monkeypatch.setattr(TradingQueries, "copy_states", copy_states, raising=False)
    return fake


class Api:
    def __init__(self, http: httpx.AsyncClient, platform: Platform) -> None:
        self.http, self.platform = http, platform
        self.tokens: dict[str, str] = {}
        self.ids: dict[str, str] = {}

    async def sign_up(self, *names: str) -> None:
        for name in names:
            body = {"email": f"{name}@example.com", "username": name, "password": PASSWORD}
            answer = await self.http.post(f"{API}/auth/register", json=body)
            assert answer.status_code == 201, answer.text
            self.ids[name] = answer.json()["user_id"]
            login = {"username": name, "password": PASSWORD}
            answer = await self.http.post(f"{API}/auth/login", json=login)
            self.tokens[name] = answer.json()["access_token"]
        await self.platform.backbone.drain()

    async def call(self, name: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[name]}"}
        answer = await self.http.request(method, f"{API}{path}", headers=headers, **kwargs)
        await self.platform.backbone.drain()
        return answer


@pytest.fixture
async def api(platform: Platform, trading: FakeTrading) -> AsyncIterator[Api]:
    app = create_app(platform, metrics=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield Api(http, platform)


async def practice_account(platform: Platform, user_id: str) -> str:
    from sqlalchemy import select

    from astratrade.copytrading.adapters.tables import practice_accounts

    p = practice_accounts.c
    async with platform.read_db.connect() as conn:
        found = await conn.scalar(select(p.account_id).where(p.owner_id == user_id))
    assert found is not None
    return str(found)


async def make_leader(platform: Platform, user_id: str, share: str = "0.1") -> str:
    """Leading from their practice account, as an opt-in would leave it (the eligibility
    path has tests of its own)."""
    account = await practice_account(platform, user_id)
    async with platform.db.begin() as conn:
        await conn.execute(
            insert(leaders).values(
                user_id=user_id,
                account_id=account,
                profit_share=Decimal(share),
                active=True,
                version=1,
            )
        )
        await conn.execute(
            statistics.leader_statistics.update()
            .where(statistics.leader_statistics.c.user_id == user_id)
            .values(roi_30d=0)
        )
    return account


async def set_plan(platform: Platform, user_id: str, plan: str, slots: int) -> None:
    """As financial's SubscriptionChanged would leave it (sign-up announced Free)."""
    async with platform.db.begin() as conn:
        await conn.execute(delete(plans).where(plans.c.user_id == user_id))
        await conn.execute(
            insert(plans).values(user_id=user_id, plan=plan, copy_trading_slots=slots)
        )


async def from_trading(
    platform: Platform, kind: str, payload: dict[str, Any], event_id: str | None = None
) -> str:
    """Trading's event, delivered to copy trading as trading's commit would hand it."""
    event_id = event_id or new_id()
    envelope = Envelope(
        event_id=event_id,
        type=kind,
        version=1,
        context="trading",
        aggregate_id=str(payload.get("account_id") or payload.get("copy_account_id")),
        aggregate_version=1,
        occurred_at=platform.clock.now(),
        payload={k: str(v) if isinstance(v, Decimal | datetime) else v for k, v in payload.items()},
        correlation_id=None,
    )
    platform.backbone.committed([envelope])  # type: ignore[attr-defined]
    await platform.backbone.drain()
    return event_id
