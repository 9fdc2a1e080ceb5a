"""Where Prometheus reads /metrics: on the public port by default (the embedded platform,
as the API contract lists it), or, with `serve --health-port`, only on that port, beside a
/healthz of its own, and no longer on the public one (production: deploy/ scrapes the health
port, which no Service exposes)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from .conftest import Server, assert_error, free_port, own_server


def test_metrics_are_public_by_default(server: Server) -> None:
    answer = httpx.get(f"{server.base_url}/metrics", follow_redirects=True)  # to /metrics/
    assert answer.status_code == 200
    assert "# TYPE" in answer.text


@pytest.fixture(scope="module", params=["embedded", "gateway"])
def health_port(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Server, int]]:
    data_dir = tmp_path_factory.mktemp(f"astratrade-health-port-{request.param}")
    port = free_port()
    args = ["--health-port", str(port)] + (["--gateway"] if request.param == "gateway" else [])
    with own_server(data_dir, *args) as srv:
        yield srv, port


def test_with_a_health_port_metrics_leave_the_public_port(health_port: tuple[Server, int]) -> None:
    server, port = health_port
    for path in ("/metrics", "/metrics/"):
        assert_error(httpx.get(f"{server.base_url}{path}", follow_redirects=True), 404)
    assert httpx.get(f"{server.base_url}/healthz").status_code == 200  # probes unchanged
    metrics = httpx.get(f"http://127.0.0.1:{port}/metrics")
    assert metrics.status_code == 200
    assert "# TYPE" in metrics.text
    assert httpx.get(f"http://127.0.0.1:{port}/healthz").json() == {"status": "ok"}
