"""Forwarding one HTTP request to its service and its answer back, as a proxy should:
hop-by-hop headers dropped, the request id and the client's address passed on."""

from __future__ import annotations

from fastapi import Request
from starlette.requests import HTTPConnection
from starlette.responses import Response

from astratrade.entrypoints.gateway.upstreams import Upstreams
from astratrade.shared.messages import correlation

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
}


def client_ip(request: HTTPConnection) -> str:
    return request.client.host if request.client else "unknown"


def forwarded_headers(request: Request) -> dict[str, str]:
    headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
    before = request.headers.get("x-forwarded-for")
    headers["x-forwarded-for"] = f"{before}, {client_ip(request)}" if before else client_ip(request)
    headers["x-forwarded-proto"] = request.url.scheme
    headers["x-request-id"] = correlation.get() or ""
    return headers


async def forward(
    request: Request, context: str, upstreams: Upstreams, replica: str | None = None
) -> Response:
    """`replica`: the address of the service's replica to send it to (by default, the
    service's URL)."""
    client = upstreams.client(context)
    outgoing = client.build_request(
        request.method,
        (replica or "") + request.url.path,
        params=request.url.query or None,
        headers=forwarded_headers(request),
        content=await request.body(),
    )
    answer = await upstreams.send(context, outgoing, replica)
    headers = {k: v for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP}
    for own in ("x-request-id", "date", "server"):  # the gateway answers its own
        headers.pop(own, None)
    try:  # API answers are small JSON (lists are capped): one body, not a stream
        body = await answer.aread()
    finally:
        await answer.aclose()
    headers.pop("content-encoding", None)  # aread() decoded it
    return Response(body, status_code=answer.status_code, headers=headers)
