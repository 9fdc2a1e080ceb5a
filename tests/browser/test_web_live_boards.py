"""The leaderboards are live: a weekly board on screen takes in a close over the WebSocket,
without a reload (while the socket is up the client polls no board's top at all)."""

from __future__ import annotations

import time
from collections.abc import Callable
from json import loads
from typing import Any

from playwright.sync_api import Page, expect

from e2e.conftest import Admin, Server, unique_name

from .conftest import sign_up
from .test_web_trading_journey import _account, signed_in_as

LIVE_MS = 5_000  # half the fallback poll's 10 s


def test_the_weekly_xp_board_takes_in_a_close_live(
    page: Page, server: Server, admin: Admin
) -> None:
    admin.reset_prices()
    received: list[dict[str, Any]] = []  # the messages the client's WebSocket got
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: received.append(loads(f))))
    username = unique_name("week")
    sign_up(page, server, username)
    page.get_by_role("link", name="Leaderboards").click()
    top = page.get_by_test_id("board-top")
    page.get_by_label("Period").select_option("week")
    expect(top).to_contain_text("No one ranks here yet.")
    _until(page, lambda: bool(_weekly(received, "subscribed")))
    page.evaluate("window.notReloaded = true")

    with signed_in_as(page) as api:  # the browser's own trader, trading through the API
        account = _account(api)
        order = {"account_id": account, "market": "BTC-USD", "side": "buy", "type": "market"}
        assert api.post("/orders", json={**order, "size": "0.01"}).status_code == 201
        closed = api.post("/positions/BTC-USD/close", json={"account_id": account})
        assert closed.status_code == 200, closed.text

    expect(top.locator("tr.me")).to_contain_text(f"{username} (you)", timeout=LIVE_MS)
    assert page.evaluate("window.notReloaded") is True
    pushed = [s["username"] for m in _weekly(received, "event") for s in m["data"]]
    assert username in pushed


def _weekly(received: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [m for m in received if (m["type"], m.get("channel")) == (kind, "leaderboard:xp:week")]


def _until(page: Page, condition: Callable[[], bool], seconds: float = 10) -> None:
    """Wait for what the page's events make true (they arrive while the page is waited on)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(50)
