"""Calls to the context services: one pooled HTTP client per service, a timeout on every
call, and a circuit breaker per service so a service that is down answers 503 at once
instead of holding every request for the timeout."""

from __future__ import annotations

import time

import httpx
from prometheus_client import Counter, Histogram
from purgatory import AsyncCircuitBreakerFactory
from purgatory.domain.model import OpenedState

from astratrade.config import Settings
from astratrade.infrastructure.shard_map import is_shard_elsewhere

CALLS = Counter(
    "astratrade_gateway_requests_total", "Requests the gateway forwarded", ["context", "status"]
)
SECONDS = Histogram(
    "astratrade_gateway_upstream_seconds",
    "Time a service took to answer",
    ["context"],
    # 0.2 s is the latency promised for API answers: a bucket on it makes p99 exact there.
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
# Answers that say the service, not the request, failed: they count towards the breaker.
SERVICE_FAILURES = {502, 503, 504}


class Unavailable(Exception):
    def __init__(self, context: str, why: str, status: int = 503) -> None:
        super().__init__(f"the {context} service is unavailable: {why}")
        self.context, self.why, self.status = context, why, status


class _ServiceFailed(Exception):
    """A 502/503/504 from the service: counted by the breaker, then handed back as is."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response


class Upstreams:
    def __init__(self, settings: Settings) -> None:
        timeout = httpx.Timeout(settings.gateway_timeout_seconds, connect=2.0)
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=100)
        self.clients = {
            c: httpx.AsyncClient(base_url=settings.service_url(c), timeout=timeout, limits=limits)
            for c in settings.services_with_urls()
        }
        self._breakers = AsyncCircuitBreakerFactory(
            default_threshold=settings.gateway_failures,
            default_ttl=settings.gateway_cooldown_seconds,
        )

    async def send(
        self, context: str, request: httpx.Request, replica: str | None = None
    ) -> httpx.Response:
        """The service's answer, streamed; Unavailable when it is down, slow or open.
        `replica`: the address of the replica it goes to (a breaker of its own)."""
        started = time.perf_counter()
        client = self.client(context)
        try:
            async with await self._breakers.get_breaker(replica or context):
                response = await client.send(request, stream=True)
                if response.status_code in SERVICE_FAILURES:
                    # A shard written elsewhere is no failure of the replica: the request
                    # is sent on, and the replica must not be cut off for it.
                    await response.aread()
                    if not is_shard_elsewhere(response.status_code, response.content):
                        raise _ServiceFailed(response)
        except _ServiceFailed as failed:
            response = failed.response
        except OpenedState as error:
            CALLS.labels(context, "open").inc()
            raise Unavailable(context, "failing; retried shortly") from error
        except httpx.TimeoutException as error:
            CALLS.labels(context, "timeout").inc()
            raise Unavailable(context, "no answer in time", 504) from error
        except httpx.TransportError as error:
            CALLS.labels(context, "unreachable").inc()
            raise Unavailable(context, "unreachable") from error
        SECONDS.labels(context).observe(time.perf_counter() - started)
        CALLS.labels(context, str(response.status_code)).inc()
        return response

    def client(self, context: str) -> httpx.AsyncClient:
        """The service's client; Unavailable when the deployment names no URL for it."""
        found = self.clients.get(context)
        if found is None:
            raise Unavailable(context, "not deployed (no URL in ASTRATRADE_SERVICE_URLS)")
        return found

    async def get_json(self, context: str, path: str) -> object:
        response = await self.send(context, self.client(context).build_request("GET", path))
        try:
            await response.aread()
            response.raise_for_status()
            return response.json()
        finally:
            await response.aclose()

    async def close(self) -> None:
        for client in self.clients.values():
            await client.aclose()
