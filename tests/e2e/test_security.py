"""Security over HTTP on a server of this module's own with real limits: lockout and its
timing (measured: a login name that exists and one that does not answer alike), rate limits
per IP and per user with Retry-After, sessions that stop at once (logout everywhere, a new
password, suspension), security headers, CORS and the request body cap."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from .conftest import (
    PASSWORD,
    Admin,
    Server,
    Trader,
    assert_error,
    make_client,
    own_server,
)

ORIGIN = "https://app.astratrade.example"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("astratrade-security")
    with own_server(data_dir, rate_limit_orders_per_ip="30/minute", cors_origins=ORIGIN) as srv:
        yield srv


def attempts(
    client: httpx.Client, logins: list[str], count: int
) -> list[tuple[list[int], list[float]]]:
    """`count` wrong passwords for each login, taken in turn (so a busy machine slows them
    alike): each login's statuses and seconds."""
    tried: list[tuple[list[int], list[float]]] = [([], []) for _ in logins]
    for _ in range(count):
        for login, (statuses, seconds) in zip(logins, tried, strict=True):
            started = time.perf_counter()
            response = client.post(
                "/auth/login", json={"username": login, "password": "wrong-one!"}
            )
            seconds.append(time.perf_counter() - started)
            statuses.append(response.status_code)
    return tried


def test_a_thousand_wrong_passwords_lock_the_name_and_reveal_nothing(
    server: Server, trader: Trader
) -> None:
    with make_client(server) as client:
        (known, known_s), (unknown, unknown_s) = attempts(
            client, [trader.username, "nobody-by-this-name"], 1000
        )
        locked = client.post(
            "/auth/login", json={"username": trader.username, "password": PASSWORD}
        )
    assert known == unknown == [401] * 4 + [429] * 996
    assert_error(locked, 429)  # even the right password waits out the lock
    assert int(locked.headers["Retry-After"]) > 0
    # Five checked attempts a name: the fastest shows the work (a busy machine only adds).
    checked = min(known_s[:5]), min(unknown_s[:5])
    refused = statistics.median(known_s[5:]), statistics.median(unknown_s[5:])
    print(
        f"\nlogin timing, known vs unknown name: password checked (first 5) "
        f"{checked[0] * 1000:.1f} / {checked[1] * 1000:.1f} ms; locked (995) "
        f"{refused[0] * 1000:.2f} / {refused[1] * 1000:.2f} ms"
    )
    for known_median, unknown_median in (checked, refused):
        assert 0.5 < known_median / unknown_median < 2


def test_failures_under_the_username_lock_the_account_under_its_email(
    server: Server, new_trader: Any
) -> None:
    bob = new_trader()
    email = f"{bob.username}@e2e.example.com"
    with make_client(server) as client:
        [(statuses, _)] = attempts(client, [bob.username], 5)
        assert statuses == [401] * 4 + [429]
        right = client.post("/auth/login", json={"username": email, "password": PASSWORD})
    assert_error(right, 401)  # the account is locked: the other name signs nobody in


def test_a_sign_up_with_a_registered_email_answers_as_a_new_one_in_the_same_time(
    server: Server, trader: Trader
) -> None:
    taken_email = f"{trader.username}@e2e.example.com"
    answers: dict[str, list[httpx.Response]] = {"new": [], "taken": []}
    seconds: dict[str, list[float]] = {"new": [], "taken": []}
    with make_client(server) as client:
        for n in range(10):  # alternating, so the machine's load falls on both alike
            for kind in ("new", "taken"):
                name = f"{trader.username[:20]}{kind[0]}{n}"
                email = taken_email if kind == "taken" else f"{name}@e2e.example.com"
                started = time.perf_counter()
                answer = client.post(
                    "/auth/register", json={"email": email, "username": name, "password": PASSWORD}
                )
                seconds[kind].append(time.perf_counter() - started)
                answers[kind].append(answer)
        signed_in = client.post(
            "/auth/login", json={"username": f"{trader.username[:20]}t0", "password": PASSWORD}
        )
    for kind in ("new", "taken"):
        assert {a.status_code for a in answers[kind]} == {201}, kind
        assert {tuple(a.json()) for a in answers[kind]} == {("user_id", "username")}, kind
    assert_error(signed_in, 401)  # the taken email's sign-ups created nothing
    new, taken = statistics.median(seconds["new"]), statistics.median(seconds["taken"])
    print(
        f"\nsign-up timing, new vs registered email: median {new * 1000:.1f} / "
        f"{taken * 1000:.1f} ms"
    )
    assert 0.5 < new / taken < 2


def test_orders_are_limited_per_ip_and_the_faucet_per_user(server: Server, new_trader: Any) -> None:
    ann, bob = new_trader(), new_trader()
    statuses = []
    for n in range(30):
        trader, side = (ann, "buy") if n % 2 else (bob, "sell")
        statuses.append(
            trader.place(market="BTC-USD", side=side, type="market", size="0.001").status_code
        )
    assert statuses == [201] * 30
    throttled = assert_error(
        ann.place(market="BTC-USD", side="buy", type="market", size="0.001"), 429
    )  # the IP's, not ann's
    assert throttled["code"] == "rate_limited"

    answers = [
        ann.post(f"/accounts/{ann.account_id}/faucet", json={"amount": "1"}) for _ in range(11)
    ]
    assert [a.status_code for a in answers] == [202] + [409] * 9 + [429]
    assert int(answers[-1].headers["Retry-After"]) > 0


def test_logging_out_everywhere_stops_every_token_at_once(trader: Trader) -> None:
    refresh = trader.refresh_token
    assert trader.post("/auth/logout-all").status_code == 204
    assert_error(trader.get("/me"), 401)
    with make_client(trader.server) as client:
        assert_error(client.post("/auth/refresh", json={"refresh_token": refresh}), 401)
    trader.login()
    assert trader.get("/me").status_code == 200


def test_logout_ends_one_login(trader: Trader) -> None:
    refresh = trader.refresh_token
    assert trader.post("/auth/logout", json={"refresh_token": refresh}).status_code == 204
    with make_client(trader.server) as client:
        assert_error(client.post("/auth/refresh", json={"refresh_token": refresh}), 401)


def test_a_new_password_ends_the_old_sessions(trader: Trader) -> None:
    old_access = trader.access_token
    weak = trader.post(
        "/auth/password", json={"current_password": PASSWORD, "new_password": "password1"}
    )
    assert_error(weak, 422, "new_password")
    better = {"current_password": PASSWORD, "new_password": "a much better phrase"}
    changed = trader.post("/auth/password", json=better)
    assert changed.status_code == 200, changed.text
    with make_client(trader.server) as client:
        stale = client.get("/me", headers={"Authorization": f"Bearer {old_access}"})
        assert_error(stale, 401)
        fresh = client.get(
            "/me", headers={"Authorization": f"Bearer {changed.json()['access_token']}"}
        )
        assert fresh.status_code == 200


def test_a_suspended_user_is_out_at_once(admin: Admin, trader: Trader) -> None:
    assert_error(trader.get("/admin/users"), 403)
    listed = admin.get("/admin/users", params={"limit": 500}).json()["users"]
    assert trader.user_id in [u["user_id"] for u in listed]
    done = admin.put(f"/admin/users/{trader.user_id}/suspension", json={"suspended": True})
    assert done.json() == {"user_id": trader.user_id, "suspended": True}
    assert_error(trader.get("/me"), 401)
    with make_client(trader.server) as client:
        refused = client.post(
            "/auth/login", json={"username": trader.username, "password": PASSWORD}
        )
        assert_error(refused, 403)
    admin.put(f"/admin/users/{trader.user_id}/suspension", json={"suspended": False})
    trader.login()
    assert trader.get("/me").status_code == 200


def test_headers_cors_and_the_body_cap(server: Server, trader: Trader) -> None:
    answer = trader.get("/me")
    for header in (
        "x-content-type-options",
        "x-frame-options",
        "content-security-policy",
        "strict-transport-security",
        "referrer-policy",
    ):
        assert header in answer.headers, header
    assert answer.headers["cache-control"] == "no-store"
    with make_client(server) as client:
        preflight = {"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}
        allowed = client.options("/orders", headers=preflight)
        assert allowed.headers.get("access-control-allow-origin") == ORIGIN
        other = client.options("/orders", headers={**preflight, "Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
        huge = client.post(
            "/auth/login",
            content=b"{" + b" " * 70_000 + b"}",
            headers={"content-type": "application/json"},
        )
        assert_error(huge, 413)
