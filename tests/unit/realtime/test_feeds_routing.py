"""The hub's routing of trading events: the owner comes from the event itself; only the
versions stored before events carried it are looked up, through trading's queries."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from astratrade.entrypoints.realtime.feeds import Feeds
from astratrade.shared.messages import Envelope


class RecordingHub:
    def __init__(self) -> None:
        self.published: list[tuple[str, Any]] = []

    def publish(
        self, name: str, data: Any, *, conflate: bool = False, seq: int | None = None
    ) -> None:
        self.published.append((name, data))

    def advance(self, source: str, position: int) -> None:
        return None

    def watched_now(self, name: str) -> bool:
        return False

    def watched(self, prefix: str) -> list[str]:
        return []


class Owners:
    """Trading's queries, answering owners and counting the questions."""

    def __init__(self, owners: dict[str, str]) -> None:
        self.owners = owners
        self.asked: list[str] = []

    async def owner_of(self, account_id: str) -> str | None:
        self.asked.append(account_id)
        return self.owners.get(account_id)


def feeds(queries: Owners) -> tuple[Feeds, RecordingHub]:
    hub = RecordingHub()
    return Feeds(hub, {}, queries, SimpleNamespace()), hub  # type: ignore[arg-type]


def envelope(kind: str, version: int, **payload: Any) -> Envelope:
    return Envelope(
        event_id=f"e-{kind}",
        type=kind,
        version=version,
        context="trading",
        aggregate_id=str(payload["account_id"]),
        aggregate_version=1,
        occurred_at=datetime(2026, 3, 2, tzinfo=UTC),
        payload=payload,
    )


async def test_an_order_event_reaches_its_owner_without_a_lookup() -> None:
    queries = Owners({})
    feed, hub = feeds(queries)
    for kind in ("OrderAccepted", "OrderCancelled", "OrderTriggered"):
        await feed.event(envelope(kind, 2, order_id="o1", account_id="a1", owner_id="ann"))
    assert [name for name, _ in hub.published] == ["orders/ann"] * 3
    assert queries.asked == []


async def test_an_event_of_a_system_account_reaches_no_one() -> None:
    queries = Owners({})
    feed, hub = feeds(queries)
    await feed.event(envelope("OrderAccepted", 2, order_id="o1", account_id="h", owner_id=None))
    assert hub.published == []
    assert queries.asked == []


async def test_an_event_stored_before_it_carried_the_owner_is_looked_up_once() -> None:
    queries = Owners({"a1": "ann"})
    feed, hub = feeds(queries)
    for kind in ("OrderAccepted", "OrderTriggered", "OrderCancelled"):
        await feed.event(envelope(kind, 1, order_id="o1", account_id="a1"))
    assert [name for name, _ in hub.published] == ["orders/ann"] * 3
    assert queries.asked == ["a1"]  # an account's owner never changes: asked once
