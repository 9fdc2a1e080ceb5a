"""Clients the hub serves itself (written to synchronously, no task of their own): one that
keeps up gets every tick the moment it is published; only one whose socket is full is
behind, and it gets the latest price once the socket takes more, or is cut off (4008) when
too far behind; a message is serialized once for all; subscribers joining together share
one snapshot read; silent sockets are closed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from astratrade.entrypoints.realtime.hub import OUTBOX, TOO_SLOW, Connection, Hub
from astratrade.entrypoints.realtime.transport import Encoded, Received

PRICES = "prices:BTC-USD"


class Socket:
    """What the server's protocol offers the hub: it takes frames until it is full."""

    def __init__(self) -> None:
        self.full = False
        self.written: list[Encoded] = []
        self.heard_at = 0.0
        self.on_writable: Callable[[], None] | None = None
        self.closed: tuple[int, str] | None = None

    def send_now(self, message: Encoded) -> bool:
        if self.full or self.closed is not None:
            return False
        self.written.append(message)
        return True

    def close_now(self, code: int, reason: str) -> None:
        self.closed = (code, reason)

    def read_on(self) -> None:
        return None

    def take_over(self, received: Received, closed: Callable[[], None]) -> bool:
        return True

    def takes_more(self) -> None:
        self.full = False
        assert self.on_writable is not None
        self.on_writable()

    def messages(self) -> list[dict[str, Any]]:
        return [json.loads(m.payload) for m in self.written]

    def prices(self) -> list[Any]:
        return [
            m["data"] for m in self.messages() if m["type"] == "event" and m["channel"] == PRICES
        ]


async def client(hub: Hub, *channels: str, user: str = "u") -> Socket:
    socket = Socket()
    connection = Connection(None, user, direct=socket)
    hub.join(connection)
    for name in channels:
        await hub.subscribe(connection, name, None, None, alias=name)
    return socket


async def test_a_client_that_keeps_up_gets_every_tick_at_once_in_order() -> None:
    hub = Hub()
    sockets = [await client(hub, PRICES) for _ in range(3)]
    for n in range(100):
        hub.publish(PRICES, {"mark": n}, conflate=True)  # no task runs in between
    for socket in sockets:
        assert socket.messages()[0]["type"] == "subscribed"
        assert socket.prices() == [{"mark": n} for n in range(100)]
        assert [m["seq"] for m in socket.messages()[1:]] == list(range(1, 101))


async def test_a_client_behind_gets_the_latest_price_once_its_socket_takes_more() -> None:
    hub = Hub()
    slow, quick = await client(hub, PRICES, "orders/x"), await client(hub, PRICES, "orders/x")
    slow.full = True  # its network stalls
    for n in range(50):
        hub.publish(PRICES, {"mark": n}, conflate=True)
    hub.publish("orders/x", {"n": 1})
    assert slow.prices() == []
    slow.takes_more()
    waited = slow.messages()[2:]
    assert [(m["channel"], m["data"]) for m in waited] == [
        ("orders/x", {"n": 1}),  # events are never conflated
        (PRICES, {"mark": 49}),  # the latest price, once
    ]
    assert len(quick.prices()) == 50
    hub.publish(PRICES, {"mark": 50}, conflate=True)
    assert slow.prices()[-1] == {"mark": 50}  # caught up: written at once again


async def test_a_client_too_far_behind_is_cut_off_and_the_others_are_not() -> None:
    hub = Hub()
    slow, quick = await client(hub, "orders/x"), await client(hub, "orders/x")
    slow.full = True
    for n in range(OUTBOX + 1):
        hub.publish("orders/x", {"n": n})
    assert slow.closed == (TOO_SLOW, "")
    assert quick.closed is None
    assert len(quick.messages()) == 1 + OUTBOX + 1


async def test_a_message_is_serialized_once_for_every_client_under_the_same_name() -> None:
    hub = Hub()
    sockets = [await client(hub, PRICES) for _ in range(20)]
    renamed = Socket()
    connection = Connection(None, "u", direct=renamed)
    await hub.subscribe(connection, "orders/u", None, None, alias="orders")
    hub.publish(PRICES, {"mark": 1}, conflate=True)
    hub.publish("orders/u", {"n": 1})
    assert len({id(s.written[-1]) for s in sockets}) == 1  # the same frame for all
    assert renamed.messages()[-1]["channel"] == "orders"  # as the client asked for it


async def test_subscribers_joining_together_share_one_snapshot_read() -> None:
    hub = Hub()
    reads: list[int] = []
    gate = asyncio.Event()

    async def board() -> dict[str, int]:
        reads.append(len(reads) + 1)
        await gate.wait()
        return {"read": len(reads)}

    sockets = [Socket() for _ in range(100)]
    connections = [Connection(None, "u", direct=s) for s in sockets]
    joins = [
        asyncio.create_task(hub.subscribe(c, "leaderboard:xp", None, board)) for c in connections
    ]
    await asyncio.sleep(0)
    joins[0].cancel()  # one client going does not cancel the others' read
    gate.set()
    await asyncio.gather(*joins[1:])
    assert reads == [1]
    assert {s.messages()[0]["snapshot"]["read"] for s in sockets[1:]} == {1}

    hub.publish("leaderboard:xp", {"top": []})  # a later joiner may have missed this: own read
    await hub.subscribe(Connection(None, "u", direct=Socket()), "leaderboard:xp", None, board)
    assert reads == [1, 2]


async def test_connections_are_counted_per_user_and_silent_ones_are_closed() -> None:
    hub = Hub()
    ann, ann_too, bob = await client(hub, user="ann"), await client(hub, user="ann"), Socket()
    bob_connection = Connection(None, "bob", direct=bob)
    hub.join(bob_connection)
    assert (hub.count_of("ann"), hub.count_of("bob"), hub.count_of("cid")) == (2, 1, 0)
    hub.leave(bob_connection)
    assert hub.count_of("bob") == 0

    ann.heard_at, ann_too.heard_at = 0.0, 100.0
    assert hub.close_silent(now=130.0, seconds=120.0) == 1
    assert (ann.closed, ann_too.closed) == ((1000, "idle"), None)
