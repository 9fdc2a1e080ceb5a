"""The crowd (docs/load.md): traders, each with an account of its own, doing what the mix
says, and listeners holding a WebSocket on prices, their account and the XP board.

Run by `python -m bench.load.steps` (make load); by hand:
    .venv/bin/locust -f bench/load/locustfile.py --headless -u 20 -r 5 -t 60s --host URL
"""

from __future__ import annotations

import random
import sys
import uuid
from pathlib import Path
from typing import Any

from locust import FastHttpUser, between, task
from locust.exception import StopUser

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # `bench` importable by locust

from bench.load import journal
from bench.load.listener import Listener
from bench.load.mix import MARKETS, SIZES, THINK_SECONDS, WEIGHTS
from bench.load.signup import API, PASSWORD, sign_up, signed_up

__all__ = ["Listener", "Trader"]  # Locust runs every User class of this module


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
