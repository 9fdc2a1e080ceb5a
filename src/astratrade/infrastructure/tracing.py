"""OpenTelemetry traces, exported over OTLP/HTTP when `ASTRATRADE_OTEL_ENDPOINT` is set:
a span per request in each process, and the gateway's calls to the services carry the
trace on (W3C traceparent), so one trace follows a request through distributed mode.
Unset, nothing is instrumented and nothing is paid."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from astratrade.config import Settings

# FastAPI's own OpenTelemetry bridge, off: the spans above come from the instrumentor, on a
# provider of its own, and no global provider is ever set, so the bridge never had anything
# to do; but, on, it asked the three global providers whether they were configured on every
# request (~9 us).
FASTAPI_TELEMETRY_OFF: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


def trace(app: FastAPI, settings: Settings, process: str) -> TracerProvider | None:
    if not settings.otel_endpoint:
        return None
    provider = TracerProvider(resource=Resource.create({"service.name": f"astratrade-{process}"}))
    endpoint = settings.otel_endpoint.rstrip("/") + "/v1/traces"
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=provider, excluded_urls="healthz,readyz,metrics"
    )
    HTTPXClientInstrumentor().instrument(tracer_provider=provider)
    return provider
