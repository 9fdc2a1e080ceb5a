"""The floor for bench.ws_fanout: a bare `websockets` server that broadcasts a message of
the same shape as a price update to every connected client, --rate times a second."""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from websockets.asyncio.server import broadcast, serve


async def main(port: int, rate: float) -> None:
    async with serve(lambda ws: ws.wait_closed(), "127.0.0.1", port) as server:
        seq, loop = 0, asyncio.get_running_loop()
        due = loop.time()
        while True:
            seq += 1
            message = {
                "type": "event",
                "channel": "prices:BTC-USD",
                "seq": seq,
                "data": {
                    "market": "BTC-USD",
                    "mark": "61000.1",
                    "index": "60990.2",
                    "at": time.time(),
                },
            }
            broadcast(server.connections, json.dumps(message, separators=(",", ":")))
            due = max(due + 1 / rate, loop.time())  # the platform's feed keeps this cadence
            await asyncio.sleep(due - loop.time())


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rate", type=float, default=10)
    args = parser.parse_args()
    asyncio.run(main(args.port, args.rate))
