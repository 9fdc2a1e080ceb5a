"""The limits on what a request may send, over real sockets, on the embedded server and on
the gateway alike: bodies over ASTRATRADE_MAX_REQUEST_BYTES answer 413 whether they declare
their length or stream it in chunks; request heads (request line and headers) over
ASTRATRADE_MAX_HEADER_BYTES answer 431 before any of it reaches the application; a token
that is not one of ours answers "invalid token", never the JWT library's words."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from websockets.sync.client import connect

from .conftest import API, Server, assert_error, make_client, own_server

LIMIT = 65_536
HEADER_LIMIT = 16_384


@pytest.fixture(scope="module", params=["embedded", "gateway"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def server(mode: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp(f"astratrade-limits-{mode}")
    with own_server(data_dir, *(["--gateway"] if mode == "gateway" else [])) as srv:
        yield srv


def chunks(total: int, size: int = 8192) -> Iterator[bytes]:
    yield b'{"username": "'
    for _ in range(total // size):
        yield b"a" * size
    yield b'", "password": "whatever1"}'


def test_a_chunked_body_over_the_cap_answers_413(server: Server) -> None:
    with make_client(server) as client:
        answer = client.post(
            "/auth/login",
            content=chunks(LIMIT + 8192),
            headers={"content-type": "application/json"},
        )
    assert "content-length" not in answer.request.headers  # streamed, length undeclared
    error = assert_error(answer, 413)
    assert error["code"] == "payload_too_large"
    assert str(LIMIT) in error["message"]


def exchange(server: Server, head: bytes, *, body_chunks: int = 0) -> bytes:
    """Send a raw request head (and optionally more of it in 64 KiB chunks) over a socket;
    what the server answered before closing (empty if it reset the connection). A server
    that neither answers nor closes within 10 s fails the test (TimeoutError)."""
    address = urlsplit(server.base_url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        try:
            sock.sendall(head)
            for _ in range(body_chunks):
                sock.sendall(b"a" * 65_536)
        except ConnectionError:
            pass  # refused midway: the answer may already be waiting
        received = b""
        try:
            while chunk := sock.recv(65_536):
                received += chunk
        except ConnectionResetError:
            pass
    return received


def request_head(header_bytes: int, *, upgrade: bool = False) -> bytes:
    lines = [
        "GET /healthz HTTP/1.1",
        "Host: 127.0.0.1",
        "Connection: close",
        f"X-Padding: {'p' * header_bytes}",
    ]
    if upgrade:
        lines[0] = f"GET {API}/ws HTTP/1.1"
        lines += [
            "Upgrade: websocket",
            "Connection: Upgrade",
            "Sec-WebSocket-Version: 13",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_a_head_under_the_header_cap_is_served(server: Server) -> None:
    answer = exchange(server, request_head(HEADER_LIMIT - 1024))
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:200]


@pytest.mark.parametrize("upgrade", [False, True], ids=["http", "websocket"])
def test_a_head_over_the_header_cap_answers_431(server: Server, upgrade: bool) -> None:
    answer = exchange(server, request_head(HEADER_LIMIT + 1024, upgrade=upgrade))
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
    assert b'"headers_too_large"' in answer
    assert str(HEADER_LIMIT).encode() in answer


def test_a_head_that_never_ends_is_cut_off_at_the_cap(server: Server) -> None:
    # 8 MB of one header, sent in 64 KiB pieces: refused once the cap is passed, not read
    # whole (the server closes; the rest of the sending fails or is discarded).
    head = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: "
    answer = exchange(server, head, body_chunks=128)
    assert not answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert answer == b"" or answer.startswith(b"HTTP/1.1 431 "), answer[:200]
    assert httpx.get(f"{server.base_url}/healthz").status_code == 200  # still serving


def test_a_token_that_is_not_ours_is_an_invalid_token_wherever_it_is_sent(
    server: Server, mode: str
) -> None:
    forged = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1LTEifQ."  # unsigned ("alg": "none")
    with make_client(server) as client:
        answers = [
            client.get("/me", headers={"Authorization": f"Bearer {token}"})
            for token in ("not-a-jwt", forged)
        ]
        if mode == "embedded":  # the gateway checks bearer tokens; the rest is the services'
            answers.append(client.post("/auth/refresh", json={"refresh_token": forged}))
    for answer in answers:
        assert assert_error(answer, 401)["message"] == "invalid token"
    if mode == "embedded":
        ws_url = server.base_url.replace("http", "ws", 1) + f"{API}/ws?token=not-a-jwt"
        with connect(ws_url, open_timeout=10) as ws:
            refused = json.loads(ws.recv(timeout=10))
        assert refused == {"type": "error", "code": "unauthorized", "message": "invalid token"}
