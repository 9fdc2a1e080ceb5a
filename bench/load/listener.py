"""The crowd's open apps: a WebSocket each on prices, the trader's account and the XP
board, every message a Locust event."""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any

from locust import FastHttpUser, between, events, task
from locust.exception import StopUser

from bench.load.signup import API, sign_up, signed_up


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
