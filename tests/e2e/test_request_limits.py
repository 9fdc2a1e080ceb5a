"""The limits on what a request may send, over real sockets, on the embedded server and on
the gateway alike: bodies over ASTRATRADE_MAX_REQUEST_BYTES answer 413 whether they declare
their length or stream it in chunks; request heads (request line and headers) over
ASTRATRADE_MAX_HEADER_BYTES answer 431 before any of it reaches the application."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from .conftest import API, Server, assert_error, make_client, own_server

LIMIT = 65_536


@pytest.fixture(scope="module", params=["embedded", "gateway"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp(f"astratrade-limits-{request.param}")
    args = ("--gateway",) if request.param == "gateway" else ()
    with own_server(data_dir, *args) as srv:
        yield srv


def chunks(total: int, size: int = 8192) -> Iterator[bytes]:
    yield b'{"username": "'
    for _ in range(total // size):
        yield b"a" * size
    yield b'", "password": "whatever1"}'


def test_a_chunked_body_over_the_cap_answers_413(server: Server) -> None:
    with make_client(server) as client:
        answer = client.post("/auth/login", content=chunks(LIMIT + 8192),
                             headers={"content-type": "application/json"})  # fmt: skip
    assert "content-length" not in answer.request.headers  # streamed, length undeclared
    error = assert_error(answer, 413)
    assert error["code"] == "payload_too_large"
    assert str(LIMIT) in error["message"]
