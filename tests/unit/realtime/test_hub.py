"""The hub's guarantees without a network: sequence numbers and resume, conflated prices
for a client that is behind, and a client too far behind cut off without slowing others."""

from __future__ import annotations

import asyncio
import json

from astratrade.entrypoints.realtime.hub import OUTBOX, TOO_SLOW, Connection, Hub


class Client:
    """A connection whose sends can be held, as a slow network would."""

    def __init__(self, hub: Hub, user: str = "u") -> None:
        self.received: list[dict[str, object]] = []
        self.open = asyncio.Event()
        self.open.set()
        self.connection = Connection(self._send, user)
        hub.join(self.connection)
        self.task = asyncio.create_task(self.connection.pump())

    async def _send(self, text: str) -> None:
        await self.open.wait()
        self.received.append(json.loads(text))

    def events(self) -> list[dict[str, object]]:
        return [m for m in self.received if m["type"] == "event"]


async def settle() -> None:
    for _ in range(50):
        await asyncio.sleep(0)


async def test_a_resuming_client_gets_what_it_missed_then_live_messages() -> None:
    hub = Hub()
    for n in range(5):
        hub.publish("orders/u", {"n": n})
    client = Client(hub)
    await hub.subscribe(client.connection, "orders/u", 2, None, alias="orders")
    hub.publish("orders/u", {"n": 5})
    await settle()
    assert client.received[0]["type"] == "subscribed"
    assert [(m["seq"], m["channel"]) for m in client.events()] == [
        (3, "orders"), (4, "orders"), (5, "orders"), (6, "orders")]  # fmt: skip


async def test_a_client_too_far_back_for_the_buffer_gets_a_snapshot() -> None:
    hub = Hub()
    for n in range(600):
        hub.publish("account:a", {"n": n})
    client = Client(hub)

    async def now() -> dict[str, int]:
        return {"n": 599}

    await hub.subscribe(client.connection, "account:a", 3, now)
    await settle()
    (opening,) = client.received
    assert (opening["resumed"], opening["snapshot"], opening["seq"]) == (False, {"n": 599}, 600)


async def test_a_slow_client_gets_the_latest_price_and_is_cut_off_when_far_behind() -> None:
    hub = Hub()
    slow, quick = Client(hub, "slow"), Client(hub, "quick")
    for client in (slow, quick):
        await hub.subscribe(client.connection, "prices:BTC-USD", None, None)
        await hub.subscribe(client.connection, "orders/x", None, None)
    await settle()
    slow.open.clear()  # its network stalls
    for n in range(100):
        hub.publish("prices:BTC-USD", {"mark": n}, conflate=True)
        await settle()  # the quick client sends each before the next
    slow.open.set()
    await settle()
    prices = [m["data"] for m in slow.events() if m["channel"] == "prices:BTC-USD"]
    assert len(prices) <= 2  # what was in flight, then the latest
    assert prices[-1] == {"mark": 99}
    assert len([m for m in quick.events() if m["channel"] == "prices:BTC-USD"]) == 100

    slow.open.clear()
    for n in range(OUTBOX + 5):
        hub.publish("orders/x", {"n": n})
        if n % 100 == 0:
            await settle()  # events come apart in time: the quick client keeps up
    await settle()
    assert slow.connection.closing == TOO_SLOW
    assert quick.connection.closing is None
    assert len([m for m in quick.events() if m["channel"] == "orders/x"]) == OUTBOX + 5
    for client in (slow, quick):
        client.task.cancel()
