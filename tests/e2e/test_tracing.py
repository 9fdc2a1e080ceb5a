"""Traces leave the platform over OTLP/HTTP when an endpoint is set: a collector of the
test's own (a plain HTTP server decoding OTLP's protobuf) receives a span for each
request, named by route and under the process's service name, with the request's status."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from .conftest import create_trader, own_server

SPANS: list[tuple[str, dict[str, object]]] = []  # (service name, span attributes and name)


class Collector(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        request = ExportTraceServiceRequest.FromString(body)
        for resource_spans in request.resource_spans:
            service = next(
                a.value.string_value
                for a in resource_spans.resource.attributes
                if a.key == "service.name"
            )
            for scope in resource_spans.scope_spans:
                for span in scope.spans:
                    attributes: dict[str, object] = {"name": span.name}
                    for a in span.attributes:
                        attributes[a.key] = a.value.string_value or a.value.int_value
                    SPANS.append((service, attributes))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        return


@pytest.fixture
def collector() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_each_request_is_a_span_at_the_collector(tmp_path: Path, collector: str) -> None:
    with own_server(tmp_path, otel_endpoint=collector) as srv:
        trader = create_trader(srv)
        assert trader.get("/progression/me").status_code == 200
        trader.close()
        deadline = time.monotonic() + 15  # the exporter sends in batches, every 5 s
        while time.monotonic() < deadline and not any(
            attrs.get("http.route") == "/api/v1/progression/me" for _, attrs in SPANS
        ):
            time.sleep(0.2)
    routes = {
        attrs.get("http.route") for service, attrs in SPANS if service == "astratrade-embedded"
    }
    assert "/api/v1/progression/me" in routes, SPANS[:20]
    assert "/api/v1/auth/register" in routes
