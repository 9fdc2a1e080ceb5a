"""Sequence numbers that mean the same on every hub: a user channel fed by one context's
events is numbered by the events' positions in that context's stream, so a client that
leaves one hub resumes on another with `since` and gets exactly what it missed."""

from __future__ import annotations

import asyncio
import json
import time

from astratrade.entrypoints.realtime.feeds import replays, source_of
from astratrade.entrypoints.realtime.hub import IDLE_CHANNEL_SECONDS, REPLAY, Connection, Hub
from astratrade.infrastructure.streams import POSITION_EPOCH_MS, position

ORDERS = "orders/u"


class Client:
    def __init__(self, hub: Hub) -> None:
        self.received: list[dict[str, object]] = []
        self.connection = Connection(self._send, "u")
        hub.join(self.connection)
        self.task = asyncio.create_task(self.connection.pump())

    async def _send(self, text: str) -> None:
        self.received.append(json.loads(text))

    def seqs(self) -> list[object]:
        return [m["seq"] for m in self.received if m["type"] == "event"]


async def settle() -> None:
    for _ in range(50):
        await asyncio.sleep(0)


def feed(hub: Hub, positions: list[int]) -> None:
    """Trading's events at these stream positions, each an order event of user u."""
    for at in positions:
        hub.advance("trading", at)
        hub.publish(ORDERS, {"at": at}, seq=at)


def test_a_stream_position_orders_entries_and_stays_exact_in_javascript() -> None:
    in_2094 = POSITION_EPOCH_MS + 69 * 365 * 86_400_000
    ids = [f"{POSITION_EPOCH_MS + 5}-0", f"{POSITION_EPOCH_MS + 5}-1", f"{in_2094}-4095"]
    assert [position(i) for i in ids] == sorted(position(i) for i in ids)
    assert position(ids[0]) == 5 * 4096
    assert position(ids[2]) < 2**53
    assert position("1-0") == 0  # before the epoch: never negative


def test_user_channels_replay_by_their_context_stream_and_states_do_not() -> None:
    assert [source_of(c) for c in ("orders/u", "positions/u", "progression/u")] == [
        "trading",
        "trading",
        "gamification",
    ]
    assert source_of("prices:BTC-USD") is None
    assert [replays(c) for c in ("prices:BTC-USD", "account:a", ORDERS)] == [False, False, True]


async def test_two_hubs_number_the_same_events_the_same() -> None:
    first, second = Hub(source_of), Hub(source_of)
    clients = [Client(first), Client(second)]
    for hub, client in zip((first, second), clients, strict=True):
        await hub.subscribe(client.connection, ORDERS, None, None)
    feed(first, [100, 230, 231])
    feed(second, [100, 230, 231])
    await settle()
    assert clients[0].seqs() == clients[1].seqs() == [100, 230, 231]


async def test_a_client_resumes_on_another_hub_with_exactly_what_it_missed() -> None:
    left, other = Hub(source_of), Hub(source_of)
    client = Client(left)
    await left.subscribe(client.connection, ORDERS, None, None)
    feed(left, [100, 230])
    feed(other, [100, 230, 300, 410])  # the client's hub died after 230
    await settle()
    since = client.seqs()[-1]
    again = Client(other)
    await other.subscribe(again.connection, ORDERS, since, None)  # type: ignore[arg-type]
    feed(other, [500])
    await settle()
    opening = again.received[0]
    assert (opening["type"], opening["resumed"]) == ("subscribed", True)
    assert again.seqs() == [300, 410, 500]


async def test_a_hub_that_started_after_the_client_left_answers_with_a_snapshot() -> None:
    late = Hub(source_of)
    feed(late, [300, 410])  # it never saw what came between 230 and 300

    async def now() -> list[str]:
        return ["open order"]

    client = Client(late)
    await late.subscribe(client.connection, ORDERS, 230, now)
    await settle()
    opening = client.received[0]
    assert (opening["resumed"], opening["snapshot"], opening["seq"]) == (False, ["open order"], 410)
    assert client.seqs() == []


async def test_a_channel_opened_before_its_events_starts_at_the_stream_position_seen() -> None:
    hub = Hub(source_of)
    hub.advance("trading", 700)  # another trader's event
    client = Client(hub)
    await hub.subscribe(client.connection, ORDERS, None, None)
    await settle()
    assert client.received[0]["seq"] == 700
    resumed = Client(hub)
    await hub.subscribe(resumed.connection, ORDERS, 700, None)
    feed(hub, [800])
    await settle()
    assert resumed.received[0]["resumed"] is True
    assert resumed.seqs() == [800]


async def test_a_since_beyond_what_the_hub_let_go_of_gets_a_snapshot() -> None:
    hub = Hub(source_of)
    feed(hub, list(range(1, REPLAY + 11)))  # the first 10 are let go of
    client = Client(hub)
    await hub.subscribe(client.connection, ORDERS, 5, None)
    await settle()
    assert client.received[0]["resumed"] is False
    exact = Client(hub)
    await hub.subscribe(exact.connection, ORDERS, 10, None)
    await settle()
    assert exact.received[0]["resumed"] is True
    assert exact.seqs() == list(range(11, REPLAY + 11))


async def test_a_channel_counted_here_resumes_only_numbers_it_gave_out() -> None:
    hub = Hub()
    for n in range(3):
        hub.publish("orders/u", {"n": n})
    stale = Client(hub)  # a since from before this hub started: from another life
    await hub.subscribe(stale.connection, "orders/u", 9, None)
    await settle()
    assert stale.received[0]["resumed"] is False


async def test_an_idle_channel_let_go_of_resumes_only_what_its_new_buffer_holds() -> None:
    hub = Hub(source_of)
    feed(hub, [100, 200])
    hub.advance("trading", 300)  # another trader's event
    assert hub.forget_idle(time.monotonic() + IDLE_CHANNEL_SECONDS + 1) == 1
    up_to_date = Client(hub)  # it had 200: nothing since, and the hub can tell
    await hub.subscribe(up_to_date.connection, ORDERS, 200, None)
    feed(hub, [400])
    await settle()
    assert up_to_date.received[0]["resumed"] is True
    assert up_to_date.seqs() == [400]
    behind = Client(hub)  # it had only 100: 200 is gone with the old buffer
    await hub.subscribe(behind.connection, ORDERS, 100, None)
    await settle()
    assert behind.received[0]["resumed"] is False


async def test_a_watched_or_embedded_user_channel_is_never_let_go_of() -> None:
    hub, embedded = Hub(source_of), Hub()
    watcher = Client(hub)
    await hub.subscribe(watcher.connection, ORDERS, None, None)
    feed(hub, [100])
    embedded.publish(ORDERS, {"n": 1})  # counted here: its numbers must not start again
    later = time.monotonic() + IDLE_CHANNEL_SECONDS + 1
    assert (hub.forget_idle(later), embedded.forget_idle(later)) == (0, 0)
