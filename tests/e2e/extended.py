"""The local Extended stand-in (tests/extended_exchange.py) as a process of its own, for
end-to-end tests of the servers that talk to it."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from .conftest import ROOT, free_port

STAND_IN = ROOT / "tests" / "extended_exchange.py"
STREAM_PATH = "/stream.extended.exchange/v2/rpc"


def extended_urls(base: str) -> dict[str, str]:
    """A server's settings pointing both of Extended's addresses (REST and streams) at the
    stand-in: a server following a live account's stream never reaches for the real one."""
    return {
        "ASTRATRADE_EXTENDED_API_URL": f"{base}/api/v1",
        "ASTRATRADE_EXTENDED_STREAM_URL": base.replace("http://", "ws://") + STREAM_PATH,
    }


@contextmanager
def extended_stand_in(log: Path) -> Iterator[str]:
    """The stand-in's base URL, once its markets endpoint answers; stopped after."""
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - our own test server, fixed arguments
        [sys.executable, str(STAND_IN), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            assert process.poll() is None, log.read_text()
            try:
                if httpx.get(f"{base}/api/v1/info/markets", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the Extended stand-in did not start"
            time.sleep(0.05)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
