"""Subscriptions in SQL through the platform's unit of work (state, audit log and outbox in
one transaction), and the embedded payment adapter."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from astratrade.financial.adapters.tables import subscriptions
from astratrade.financial.domain.subscriptions import Charge, Plan, Subscription
from astratrade.infrastructure.unit_of_work import SqlUnitOfWork
from astratrade.infrastructure.upsert import upsert
from astratrade.shared.bus import EventPublisher
from astratrade.shared.clock import Clock
from astratrade.shared.delivery import Delivery
from astratrade.shared.errors import Conflict


async def subscription_of(conn: AsyncConnection, user_id: str) -> Subscription:
    """The trader's subscription as stored; a new one on Free if there is none."""
    found = await conn.execute(select(subscriptions).where(subscriptions.c.user_id == user_id))
    row = found.mappings().first()
    if row is None:
        return Subscription(user_id)
    return Subscription(**{**row, "plan": Plan(row["plan"])})


class EmbeddedPayments:
    """No card processing here: every charge counts as paid, and the ledger records it
    (from external to subscription revenue). A real processor sits behind the same port."""

    async def collect(self, user_id: str, charge: Charge) -> str:
        return f"embedded-{charge.charge_id}"


def _row(sub: Subscription) -> dict[str, Any]:
    return {
        "user_id": sub.user_id,
        "plan": sub.plan.value,
        "period_start": sub.period_start,
        "period_end": sub.period_end,
        "cancel_at_period_end": sub.cancel_at_period_end,
        "credit": sub.credit,
        "paid_since": sub.paid_since,
        "ended_at": sub.ended_at,
        "version": sub.version,
    }


class SqlSubscriptionStore:
    def __init__(
        self,
        engine: AsyncEngine,
        read_db: AsyncEngine,
        publisher: EventPublisher,
        clock: Clock,
        delivery: Delivery | None = None,
    ) -> None:
        self._engine, self._read_db = engine, read_db
        self._publisher, self._clock = publisher, clock
        self._delivery = delivery

    def handling(self, delivery: Delivery) -> SqlSubscriptionStore:
        """The store whose next save also records this delivery's tracking row."""
        return SqlSubscriptionStore(
            self._engine, self._read_db, self._publisher, self._clock, delivery
        )

    async def get(self, user_id: str) -> Subscription:
        async with self._read_db.connect() as conn:
            return await subscription_of(conn, user_id)

    async def due(self, now: datetime) -> list[str]:
        async with self._read_db.connect() as conn:
            found = await conn.scalars(
                select(subscriptions.c.user_id).where(subscriptions.c.period_end <= now)
            )
            return list(found)

    async def save(self, subscription: Subscription) -> None:
        async def write(conn: AsyncConnection) -> None:
            row = _row(subscription)  # after the events were numbered: the new version
            await conn.run_sync(lambda sync: upsert(sync, subscriptions, [row], ["user_id"]))

        uow = SqlUnitOfWork(self._engine, self._publisher, self._clock, delivery=self._delivery)
        async with uow:
            uow.on_commit(write)
            uow.track(subscription)
            try:
                await uow.commit()  # numbers the events: the row's version follows
            except IntegrityError as error:
                raise Conflict("the subscription changed meanwhile; try again") from error
