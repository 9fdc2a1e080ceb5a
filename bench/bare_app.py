"""The floor under order placement: a bare FastAPI endpoint that parses an order-shaped JSON
body with pydantic and answers a small JSON dict. No auth, no bus, no database.

Served exactly as `astratrade serve` serves the platform (`uvicorn.run(app, host=..., port=...,
log_level=...)`: one worker, loop and http "auto", i.e. uvloop and httptools when installed),
so the two differ only in what happens inside the endpoint.

    python -m bench.bare_app --port 8001
"""

from __future__ import annotations

import argparse
from decimal import Decimal
from typing import Annotated, Literal

import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field

Identifier = Annotated[str, Field(min_length=1, max_length=64)]


class OrderBody(BaseModel):
    """The shape of the platform's `OrderIn`, with plain types."""

    model_config = ConfigDict(extra="forbid")

    account_id: Identifier
    market: Identifier
    side: Literal["buy", "sell"]
    type: Literal["market", "limit", "stop_loss", "take_profit"]
    size: Decimal
    price: Decimal | None = None
    trigger_price: Decimal | None = None
    reduce_only: bool = False
    time_in_force: Literal["gtc", "ioc"] | None = None
    client_order_id: Identifier | None = None


app = FastAPI(title="bare floor")


@app.post("/orders", status_code=201)
async def place_order(body: OrderBody) -> dict[str, str]:
    return {
        "account_id": body.account_id,
        "market": body.market,
        "side": body.side,
        "size": str(body.size),
        "status": "accepted",
    }


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args()
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)


if __name__ == "__main__":
    main()
