"""The hub's guarantees without a network: sequence numbers and resume, conflated prices
for a client that is behind, and a client too far behind cut off without slowing others."""

from __future__ import annotations

import asyncio
import json

from astratrade.entrypoints.realtime.hub import OUTBOX, TOO_SLOW, Connection, Hub
from astratrade.entrypoints.realtime.transport import Encoded, SendNow


class Client:
    """A connection whose sends can be held, as a slow network would."""

    def __init__(self, hub: Hub, user: str = "u", send_now: SendNow | None = None) -> None:
        self.received: list[dict[str, object]] = []
        self.open = asyncio.Event()
        self.open.set()
        self.connection = Connection(self._send, user, send_now)
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
        (3, "orders"),
        (4, "orders"),
        (5, "orders"),
        (6, "orders"),
    ]


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


class DirectClient(Client):
    """A connection whose server also writes synchronously, until its socket is full."""

    def __init__(self, hub: Hub) -> None:
        self.socket_full = False
        self.written: list[dict[str, object]] = []
        super().__init__(hub, send_now=self._send_now)

    def _send_now(self, message: Encoded) -> bool:
        if self.socket_full:
            return False
        self.written.append(json.loads(message.payload))
        return True


async def test_a_ready_client_is_written_to_at_once_and_a_full_one_keeps_its_order() -> None:
    hub = Hub()
    client = DirectClient(hub)
    await hub.subscribe(client.connection, "orders/u", None, None)
    await settle()  # the opening goes through the queue, then the queue is empty
    hub.publish("orders/u", {"n": 1})
    assert [m["data"] for m in client.written] == [{"n": 1}]  # no task had to run
    client.socket_full = True
    hub.publish("orders/u", {"n": 2})
    client.socket_full = False
    hub.publish("orders/u", {"n": 3})  # 2 waits in the queue: 3 must not overtake it
    assert [m["data"] for m in client.written] == [{"n": 1}]
    await settle()
    queued = [m["data"] for m in client.events()]
    assert queued == [{"n": 2}, {"n": 3}]


def test_a_frame_written_for_all_is_the_one_the_protocol_would_write() -> None:
    from websockets.protocol import State
    from websockets.server import ServerProtocol

    protocol = ServerProtocol()
    protocol.state = State.OPEN
    message = Encoded(json.dumps({"type": "event", "data": {"mark": "61000.5"}}))
    protocol.send_text(message.payload)
    assert b"".join(protocol.data_to_send()) == message.frame


async def test_clients_joining_a_watched_channel_at_once_share_one_snapshot_read() -> None:
    hub, reads = Hub(), []

    async def board() -> list[int]:
        reads.append(1)
        return [len(reads)]

    first, second = Client(hub), Client(hub)
    await hub.subscribe(first.connection, "leaderboard:xp", None, board)
    await hub.subscribe(second.connection, "leaderboard:xp", None, board)
    assert len(reads) == 1  # the second joined while the first watched, at the same seq
    hub.publish("leaderboard:xp", [9])
    third = Client(hub)
    await hub.subscribe(third.connection, "leaderboard:xp", None, board)
    await settle()
    assert len(reads) == 2  # the board moved since: read again
    assert third.received[0]["snapshot"] == [2]


async def test_a_snapshot_of_a_channel_nobody_watches_is_read_afresh() -> None:
    hub, reads = Hub(), []

    async def account() -> dict[str, int]:
        reads.append(1)
        return {"reads": len(reads)}

    client = Client(hub)
    await hub.subscribe(client.connection, "account:a", None, account)
    hub.unsubscribe(client.connection, "account:a")  # unwatched: changes go unpublished
    await hub.subscribe(client.connection, "account:a", None, account)
    assert len(reads) == 2
