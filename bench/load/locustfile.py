"""The crowd (docs/load.md): traders, each with an account of its own, doing what the mix
says, and listeners holding a WebSocket on prices, their account and the XP board.

Run by `python -m bench.load.steps` (make load); by hand:
    .venv/bin/locust -f bench/load/locustfile.py --headless -u 20 -r 5 -t 60s --host URL
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import gevent
from locust import FastHttpUser, between, events, task
from locust.exception import StopUser

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # `bench` importable by locust

from bench.load import journal
from bench.load.mix import MARKETS, SIZES, THINK_SECONDS, WEIGHTS

API = "/api/v1"
# The measured window: once every user has signed up, statistics restart and the run ends
# this many seconds later (argon2's sign-up burst is the ramp, reported but not the step).
STEP_SECONDS = float(os.environ.get("LOAD_STEP_SECONDS", "0"))
_signed_up = 0
_gave_up = 0  # users whose sign-up failed or whose account did not open in time
PASSWORD = "load-test-horse-battery"  # noqa: S105 - throwaway traders on a loopback run
ACCOUNT_WAIT = 20.0


def sign_up(client: Any) -> tuple[str, dict[str, str], str]:
    """A new trader: sign up, sign in, wait for the practice account the platform opens
    after sign-up. Its username, auth header and account id."""
    name = f"load{uuid.uuid4().hex[:16]}"
    body = {"email": f"{name}@load.example.com", "username": name, "password": PASSWORD}
    client.post(f"{API}/auth/register", json=body, name="sign up")
    signed = client.post(
        f"{API}/auth/login", json={"username": name, "password": PASSWORD}, name="sign in"
    )
    if signed.status_code != 200:
        raise StopUser
    headers = {"Authorization": f"Bearer {signed.json()['access_token']}"}
    deadline = time.monotonic() + ACCOUNT_WAIT
    while time.monotonic() < deadline:
        found = client.get(f"{API}/accounts", headers=headers, name="wait for account")
        practice = [a for a in found.json() if a["kind"] == "practice"] if found.ok else []
        if practice:
            return name, headers, str(practice[0]["account_id"])
        time.sleep(0.2)
    raise StopUser


def signed_up(environment: Any, ok: bool = True) -> None:
    """One more user is in (or gave up: its account never opened); the last one starts
    the measured window."""
    global _signed_up, _gave_up
    _signed_up += ok
    _gave_up += not ok
    runner = environment.runner
    if runner is None or _signed_up + _gave_up != runner.target_user_count or not STEP_SECONDS:
        return
    print(
        f"all {_signed_up} users in, {_gave_up} gave up: measuring {STEP_SECONDS:g} s", flush=True
    )
    runner.stats.reset_all()
    gevent.spawn_later(STEP_SECONDS, runner.quit)


class Trader(FastHttpUser):
    """A person on the trading app: mostly looking, sometimes trading."""

    weight = 3
    wait_time = between(*THINK_SECONDS)

    def on_start(self) -> None:
        try:
            self.name, self.auth, self.account_id = sign_up(self.client)
        except StopUser:
            signed_up(self.environment, ok=False)
            raise
        journal.write(
            kind="trader", username=self.name, password=PASSWORD, account_id=self.account_id
        )
        self.marks = {m["market"]: float(m["mark_price"]) for m in self.markets()}
        signed_up(self.environment)

    def get(self, path: str, name: str, **params: Any) -> Any:
        return self.client.get(f"{API}{path}", headers=self.auth, params=params, name=name)

    def markets(self) -> list[dict[str, Any]]:
        response = self.client.get(f"{API}/markets", name="markets")
        return list(response.json()) if response.ok else []

    def order(self, name: str, **fields: Any) -> Any:
        client_order_id = uuid.uuid4().hex
        body = {"account_id": self.account_id, "client_order_id": client_order_id, **fields}
        response = self.client.post(f"{API}/orders", headers=self.auth, json=body, name=name)
        if 200 <= response.status_code < 300:
            journal.write(
                kind="order",
                username=self.name,
                account_id=self.account_id,
                order_id=response.json()["order_id"],
                client_order_id=client_order_id,
            )
        return response

    @task(WEIGHTS["browse_markets"])
    def browse_markets(self) -> None:
        for quote in self.markets():
            self.marks[quote["market"]] = float(quote["mark_price"])

    @task(WEIGHTS["open_trade_screen"])
    def open_trade_screen(self) -> None:
        market = random.choice(MARKETS)
        self.client.get(f"{API}/markets/{market}", name="market")
        self.client.get(f"{API}/markets/{market}/candles", params={"limit": 120}, name="candles")
        self.get(f"/accounts/{self.account_id}", "account")
        self.get("/orders", "open orders", account_id=self.account_id, status="open")

    @task(WEIGHTS["place_and_cancel_limit"])
    def place_and_cancel_limit(self) -> None:
        # A bid 20 % under the mark rests; the trader changes their mind and cancels it.
        price = int(self.marks.get("BTC-USD", 60000) * 0.8)
        placed = self.order(
            "place limit",
            market="BTC-USD",
            side="buy",
            type="limit",
            size=SIZES["BTC-USD"],
            price=str(price),
        )
        if placed.status_code == 201:
            order_id = placed.json()["order_id"]
            self.client.delete(f"{API}/orders/{order_id}", headers=self.auth, name="cancel")

    @task(WEIGHTS["market_order"])
    def market_order(self) -> None:
        market = random.choice(MARKETS)
        side = random.choice(("buy", "sell"))
        self.order("market order", market=market, side=side, type="market", size=SIZES[market])

    @task(WEIGHTS["close_position"])
    def close_position(self) -> None:
        open_positions = self.positions()
        if open_positions:
            market = random.choice(open_positions)["market"]
            self.client.post(
                f"{API}/positions/{market}/close",
                headers=self.auth,
                json={"account_id": self.account_id},
                name="close position",
            )

    def positions(self) -> list[dict[str, Any]]:
        response = self.get("/positions", "positions", account_id=self.account_id)
        return list(response.json()) if response.ok else []

    @task(WEIGHTS["read_positions"])
    def read_positions(self) -> None:
        self.positions()

    @task(WEIGHTS["progression"])
    def progression(self) -> None:
        self.get("/progression/me", "progression")

    @task(WEIGHTS["leaderboards"])
    def leaderboards(self) -> None:
        self.get(
            "/leaderboards/xp", "leaderboard xp", period=random.choice(("all", "week")), limit=50
        )
        self.get("/leaderboards/roi", "leaderboard roi", limit=50)

    @task(WEIGHTS["social_feed"])
    def social_feed(self) -> None:
        self.get("/feed", "feed", limit=20)
        self.get(f"/markets/{random.choice(MARKETS)}/posts", "market posts", limit=20)

    @task(WEIGHTS["copy_pages"])
    def copy_pages(self) -> None:
        self.get("/leaders", "leaders", limit=20)
        self.get("/profiles/me/closed-positions", "closed positions", limit=20)


class Listener(FastHttpUser):
    """An open app's socket: prices, the trader's account and the XP board, pushed. Each
    message is a Locust event "WS <channel>"; a price's time is from its tick's stamp."""

    weight = 1
    wait_time = between(0, 0)

    def on_start(self) -> None:
        try:
            _name, auth, self.account_id = sign_up(self.client)
        except StopUser:
            signed_up(self.environment, ok=False)
            raise
        self.token = auth["Authorization"].removeprefix("Bearer ")
        self.socket: Any = None
        signed_up(self.environment)

    def connect(self) -> Any:
        from websockets.sync.client import connect

        url = self.host.replace("http://", "ws://") + f"{API}/ws?token={self.token}"
        started = time.perf_counter()
        try:
            socket = connect(url, open_timeout=10)
            for channel in ("prices:BTC-USD", f"account:{self.account_id}", "leaderboard:xp"):
                socket.send(json.dumps({"type": "subscribe", "channel": channel}))
        except Exception as error:  # refused, timed out: counted, tried again
            self.fire("WS connect", started, 0, error)
            time.sleep(1)
            return None
        self.fire("WS connect", started, 0, None)
        return socket

    def fire(self, name: str, started: float, length: int, error: Exception | None) -> None:
        events.request.fire(
            request_type="WS",
            name=name,
            response_time=(time.perf_counter() - started) * 1000,
            response_length=length,
            exception=error,
            context={},
        )

    @task
    def listen(self) -> None:
        if self.socket is None:
            self.socket = self.connect()
            return
        try:
            raw = self.socket.recv(timeout=2)
        except TimeoutError:
            return
        except Exception as error:  # the hub went away: count it, reconnect
            self.fire("WS dropped", time.perf_counter(), 0, error)
            self.socket = None
            return
        message = json.loads(raw)
        channel = str(message.get("channel", "")).split(":")[0] or message.get("type", "?")
        data = message.get("data")
        stamp = data.get("at") if isinstance(data, dict) else None
        latency = (
            time.time() - datetime.fromisoformat(stamp).timestamp()
            if isinstance(stamp, str)
            else 0.0
        )
        events.request.fire(
            request_type="WS",
            name=f"WS {channel}",
            response_time=max(latency, 0.0) * 1000,
            response_length=len(raw),
            exception=None,
            context={},
        )

    def on_stop(self) -> None:
        if self.socket is not None:
            self.socket.close()
