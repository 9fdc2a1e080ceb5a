"""A socket lasts as long as its session: logging out everywhere, a new password, a
suspension and the access token's expiry each close it with 4001 within about a second,
the client doing nothing meanwhile. A plain logout ends one refresh family only: its
socket, like its access token, lasts until that token expires."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection

from .conftest import PASSWORD, Admin, Trader
from .test_websocket import event_on, live, subscribe

PROMPTLY = 2.5  # seconds: sessions are re-checked each second, with room for a busy machine
ACCESS_TOKEN_SECONDS = 15 * 60


def closed_by_server(ws: ClientConnection, within: float = PROMPTLY) -> tuple[int, str, float]:
    """The close code and reason the server sent, and how long it took; whatever else
    arrives meanwhile is skipped."""
    started = time.monotonic()
    with pytest.raises(ConnectionClosed) as closed:
        receive_until(ws, started + within)
    assert closed.value.rcvd is not None, "closed without a close frame from the server"
    return closed.value.rcvd.code, closed.value.rcvd.reason, time.monotonic() - started


def receive_until(ws: ClientConnection, deadline: float) -> None:
    with suppress(TimeoutError):
        while (left := deadline - time.monotonic()) > 0:
            ws.recv(timeout=left)
    raise AssertionError("the socket is still open")


@contextmanager
def watching_orders(trader: Trader) -> Iterator[ClientConnection]:
    """A signed-in socket subscribed to the trader's orders, shown to work first."""
    with live(trader.server, trader.access_token) as ws:
        subscribe(ws, "orders")
        trader.place(side="buy", type="limit", size="0.001", price="30000")
        event_on(ws, "orders")
        yield ws


def test_logging_out_everywhere_closes_the_socket(trader: Trader) -> None:
    with watching_orders(trader) as socket:
        assert trader.post("/auth/logout-all").status_code == 204
        code, reason, seconds = closed_by_server(socket)
    assert (code, reason) == (4001, "token has been revoked")
    print(f"\nsocket closed {seconds * 1000:.0f} ms after logout everywhere")


def test_a_new_password_closes_the_old_sessions_sockets(trader: Trader) -> None:
    with watching_orders(trader) as socket:
        better = {"current_password": PASSWORD, "new_password": "a much better phrase"}
        changed = trader.post("/auth/password", json=better)
        assert changed.status_code == 200, changed.text
        code, reason, _ = closed_by_server(socket)
    assert (code, reason) == (4001, "token has been revoked")
    with live(trader.server, changed.json()["access_token"]) as fresh:  # the new pair works
        assert subscribe(fresh, "orders")["type"] == "subscribed"


def test_a_suspension_closes_the_socket(admin: Admin, trader: Trader) -> None:
    with watching_orders(trader) as socket:
        done = admin.put(f"/admin/users/{trader.user_id}/suspension", json={"suspended": True})
        assert done.status_code == 200, done.text
        code, reason, _ = closed_by_server(socket)
    assert (code, reason) == (4001, "this account is suspended")


def test_a_logged_out_token_s_socket_lasts_until_the_token_expires(
    admin: Admin, trader: Trader
) -> None:
    """Logout ends the refresh family; the access token, and so its socket, live on until
    expiry (docs/security-rules.md), then the socket closes without the client asking."""
    with watching_orders(trader) as socket:
        logged_out = trader.post("/auth/logout", json={"refresh_token": trader.refresh_token})
        assert logged_out.status_code == 204
        time.sleep(1.5)  # a session check has run since
        trader.place(side="buy", type="limit", size="0.001", price="30001")
        event_on(socket, "orders")  # still served
        admin.clock(advance_seconds=ACCESS_TOKEN_SECONDS - 60)
        time.sleep(1.5)
        trader.place(side="buy", type="limit", size="0.001", price="30002")
        event_on(socket, "orders")  # a minute left: still served
        admin.clock(advance_seconds=61)
        code, reason, _ = closed_by_server(socket)
    assert (code, reason) == (4001, "token has expired")
