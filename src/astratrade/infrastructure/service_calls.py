"""Calls from one service to another's internal routes (distributed mode): a pooled HTTP
client at the other service's URL, showing the deployment's service key in a header."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from astratrade.shared.errors import Unavailable

SERVICE_KEY_HEADER = "X-Service-Key"


def service_client(base_url: str, service_key: str, timeout: float) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url, timeout=timeout, headers={SERVICE_KEY_HEADER: service_key}
    )


@contextmanager
def answered_by(service: str) -> Iterator[None]:
    """A call to another service that did not answer (refused, timed out, a 5xx) fails the
    request with 503, naming that service, not with 500: nothing was done, and the request
    may be sent again once the service is back."""
    try:
        yield
    except httpx.HTTPError as error:
        raise Unavailable(
            f"the {service} service did not answer ({type(error).__name__})"
        ) from error
