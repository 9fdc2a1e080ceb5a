"""The source files one `POST /api/v1/orders` passes through before its answer, in order of
first call: the embedded app in process, a registered trader's second market order (the
first warms the caches), traced on the request's own task only (the event dispatcher's
work after the commit runs on its own task and is not counted).

    .venv/bin/python -m bench.order_path
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from types import FrameType
from typing import Any

import httpx

import astratrade
from astratrade.config import Settings
from astratrade.entrypoints.app import create_app

ROOT = os.path.dirname(astratrade.__file__)
TRADER = {"email": "ada@example.com", "username": "ada", "password": "correct horse battery"}


async def order_path() -> list[str]:
    with tempfile.TemporaryDirectory(prefix="astratrade-order-path-") as tmp:
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{tmp}/path.db",
            clock="manual",
            price_feed="manual",
            password_hash_time_cost=1,
            password_hash_memory_kib=8,
            password_hash_parallelism=1,
        )
        app = create_app(settings=settings, metrics=False)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://app/api/v1") as c:
                return await _traced_order(c)


async def _traced_order(client: httpx.AsyncClient) -> list[str]:
    await client.post("/auth/register", json=TRADER)
    login = {"username": TRADER["username"], "password": TRADER["password"]}
    token = (await client.post("/auth/login", json=login)).json()["access_token"]
    bearer = {"authorization": f"Bearer {token}"}
    await asyncio.sleep(0.5)  # the practice account opens from the sign-up's event
    account = (await client.get("/accounts", headers=bearer)).json()[0]["account_id"]
    order = {"account_id": account, "market": "BTC-USD", "side": "buy", "type": "market"}
    await client.post("/orders", json={**order, "size": "0.01"}, headers=bearer)
    request_task = asyncio.current_task()
    seen: dict[str, None] = {}

    def note(frame: FrameType, _event: str, _arg: Any) -> None:
        path = frame.f_code.co_filename
        if path.startswith(ROOT) and asyncio.current_task() is request_task:
            seen.setdefault(os.path.relpath(path, ROOT), None)

    sys.setprofile(note)
    try:
        answer = await client.post("/orders", json={**order, "size": "0.01"}, headers=bearer)
    finally:
        sys.setprofile(None)
    assert answer.status_code == 201, answer.text
    return list(seen)


def main() -> None:
    files = asyncio.run(order_path())
    for number, path in enumerate(files, 1):
        print(f"{number:3d}  {path}")
    print(f"{len(files)} files")


if __name__ == "__main__":
    main()
