"""The health port of a worker, or of `serve --health-port`: /healthz for the orchestrator,
/metrics for Prometheus, on a port of its own that the public never reaches."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import make_wsgi_app


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Probes every few seconds would drown the worker's own log."""


def start_probe(host: str, port: int, healthy: Callable[[], bool]) -> WSGIServer:
    """Serve the probe on a daemon thread; call .shutdown() to stop it."""
    metrics = make_wsgi_app()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            ok = healthy()
            start_response(
                "200 OK" if ok else "503 Service Unavailable",
                [("Content-Type", "application/json")],
            )
            return [b'{"status":"ok"}' if ok else b'{"status":"stopped"}']
        return metrics(environ, start_response)  # type: ignore[no-any-return]

    server = make_server(host, port, app, handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, name="probe", daemon=True).start()
    return server
