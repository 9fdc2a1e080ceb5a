"""Calls from one service to another's internal routes (distributed mode): a pooled HTTP
client at the other service's URL, showing the deployment's service key in a header."""

from __future__ import annotations

import httpx

SERVICE_KEY_HEADER = "X-Service-Key"


def service_client(base_url: str, service_key: str, timeout: float) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url, timeout=timeout, headers={SERVICE_KEY_HEADER: service_key}
    )
