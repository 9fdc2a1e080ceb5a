"""The HTTP plumbing of `POST /api/v1/orders` alone: server CPU a request through the
embedded app in process, the command answered at once.

The app of `astratrade serve` (SQLite in a temporary directory, manual price feed) is
called straight through ASGI, without uvicorn or a client: middlewares, routing, the
bearer token and session check, the rate limits, body validation and the answer's
serialization. `bus.execute` answers every `PlaceOrder` with the order of one real market
order placed first, so neither trading nor the projections run: what is measured is what
every order pays before and after them. One trader, limits of 100,000/s so none refuses.

    .venv/bin/python -m bench.request_path   # --requests 4000 --concurrency 8 --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path
from typing import Any

import httpx
from starlette.types import Message

from astratrade.config import Settings
from astratrade.entrypoints.app import create_app
from bench import common

TRADER = {"email": "ada@example.com", "username": "ada", "password": "correct horse battery"}


class AnsweredBus:
    """Answers every command with `answer`: the request's own path, without trading."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer

    async def execute(self, _command: object) -> Any:
        return self.answer


class RecordingBus:
    def __init__(self, bus: Any) -> None:
        self.bus, self.answers = bus, list[Any]()

    async def execute(self, command: object) -> Any:
        self.answers.append(await self.bus.execute(command))
        return self.answers[-1]


async def signed_in_trader(client: httpx.AsyncClient) -> tuple[str, str]:
    """(access token, practice account id) of a new trader."""
    (await client.post("/auth/register", json=TRADER)).raise_for_status()
    login = {"username": TRADER["username"], "password": TRADER["password"]}
    token = (await client.post("/auth/login", json=login)).json()["access_token"]
    bearer = {"authorization": f"Bearer {token}"}
    for _ in range(200):  # the practice account opens from the sign-up's event
        accounts = (await client.get("/accounts", headers=bearer)).json()
        if accounts:
            return token, accounts[0]["account_id"]
        await asyncio.sleep(0.05)
    raise RuntimeError("no practice account after 10 s")


def order_scope(body: bytes, token: str, n: int) -> dict[str, Any]:
    """What uvicorn passes for a keep-alive client's `POST /api/v1/orders`."""
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/orders",
        "raw_path": b"/api/v1/orders",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"accept", b"*/*"),
            (b"accept-encoding", b"gzip, deflate"),
            (b"connection", b"keep-alive"),
            (b"user-agent", b"python-httpx/0.28"),
            (b"authorization", f"Bearer {token}".encode()),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 40000 + n % 16),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


async def run(args: argparse.Namespace, workdir: Path) -> bool:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{workdir / 'request-path.db'}",
        clock="system",
        price_feed="manual",
        password_hash_time_cost=1,
        password_hash_memory_kib=8,
        password_hash_parallelism=1,
        rate_limit_orders_per_user="100000/second",
        rate_limit_orders_per_ip="100000/second",
    )
    app = create_app(settings=settings, metrics=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app/api/v1") as client:
            token, account = await signed_in_trader(client)
            recording = RecordingBus(app.state.bus)
            app.state.bus = recording
            order = {"account_id": account, "market": "BTC-USD", "type": "market"}
            placed = await client.post(
                "/orders",
                json={**order, "side": "buy", "size": "0.001"},
                headers={"authorization": f"Bearer {token}"},
            )
            placed.raise_for_status()
        app.state.bus = AnsweredBus(recording.answers[-1])
        bodies = [
            json.dumps({**order, "side": side, "size": "0.001"}).encode()
            for side in ("buy", "sell")
        ]
        statuses: dict[int, int] = {}

        async def one(n: int) -> None:
            body = bodies[n % 2]
            unread = [{"type": "http.request", "body": body, "more_body": False}]

            async def receive() -> Message:
                if unread:
                    return unread.pop()
                await asyncio.Event().wait()  # the client stays connected
                raise AssertionError

            async def send(message: Message) -> None:
                if message["type"] == "http.response.start":
                    statuses[message["status"]] = statuses.get(message["status"], 0) + 1

            await app(order_scope(body, token, n), receive, send)

        async def client_loop(worker: int, count: int) -> None:
            for k in range(count):
                await one(worker * count + k)

        each = max(1, args.requests // args.concurrency)
        await asyncio.gather(*(client_loop(w, 100) for w in range(args.concurrency)))  # warm
        results = []
        for _ in range(args.rounds):
            statuses.clear()
            cpu = time.process_time()
            await asyncio.gather(*(client_loop(w, each) for w in range(args.concurrency)))
            results.append((time.process_time() - cpu) / (each * args.concurrency) * 1e6)
            if set(statuses) != {201}:
                raise RuntimeError(f"answers other than 201: {statuses}")
    print(
        f"POST /api/v1/orders through the app in process, the command answered at once; "
        f"load average {common.load_average()}"
    )
    print(
        f"{each * args.concurrency} requests a round, {args.concurrency} at a time: "
        + ", ".join(f"{r:,.0f}" for r in results)
        + f" us of CPU a request (best {min(results):,.0f} us)"
    )
    return True


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=4000, help="requests a round")
    parser.add_argument("--concurrency", type=int, default=8, help="requests at a time")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, each reported")
    parser.add_argument("--strict", action="store_true", help="(no target: info only)")
    return parser.parse_args()


if __name__ == "__main__":
    common.main(run, parse_args(), "astratrade-request-path-")
