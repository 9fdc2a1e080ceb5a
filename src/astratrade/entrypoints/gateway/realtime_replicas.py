"""Which realtime replica a client's socket goes to.

Each trader's sockets go to one replica, chosen by rendezvous hashing of their user id
over the replicas (so the per-user connection limit is counted in one hub, and traders
spread evenly); if that one cannot be reached, the next in the trader's own order, and so
on. A replica that failed is tried after the others for a few seconds. A socket with no
token the gateway can read goes to the replicas in turn (its hub refuses it properly)."""

from __future__ import annotations

import hashlib
import time
from itertools import count

DOWN_SECONDS = 5.0  # a replica that failed goes to the back of every order this long


class RealtimeReplicas:
    def __init__(self, urls: list[str], down_seconds: float = DOWN_SECONDS) -> None:
        if not urls:
            raise ValueError("the realtime service needs at least one URL")
        self.urls = list(urls)
        self._down_seconds = down_seconds
        self._down_until: dict[str, float] = {}
        self._turn = count()

    def order_for(self, user_id: str | None) -> list[str]:
        """The replicas to try for this trader, in order: live ones first."""
        if user_id is None:
            start = next(self._turn) % len(self.urls)
            ranked = self.urls[start:] + self.urls[:start]
        else:
            ranked = sorted(self.urls, key=lambda url: _weight(user_id, url), reverse=True)
        now = time.monotonic()
        up = [url for url in ranked if self._down_until.get(url, 0.0) <= now]
        return up + [url for url in ranked if url not in up]

    def failed(self, url: str) -> None:
        self._down_until[url] = time.monotonic() + self._down_seconds

    def reached(self, url: str) -> None:
        self._down_until.pop(url, None)


def _weight(user_id: str, url: str) -> int:
    digest = hashlib.blake2b(f"{user_id}|{url}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")
