"""Every route of the API, for three callers: anonymous gets 401 (public routes excepted),
another trader gets 404 for the owner's resources and 403 for admin routes, an admin gets
through. The route list comes from the server's own OpenAPI, so a new route without an
entry here fails the test until someone decides who may call it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from .conftest import DATABASES, Admin, Trader, make_client, module_server


@pytest.fixture(scope="module", params=DATABASES)
def server(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Any:
    """This module's server on SQLite, then on PostgreSQL."""
    yield from module_server(tmp_path_factory, request, request.param)


PUBLIC, MINE, OWNED, ADMIN = "public", "mine", "owned", "admin"
# mine: about the caller only (no other user's data can be named); owned: names the owner's
# account or order, so another trader must get 404; admin: 403 for traders.
Body = Callable[[dict[str, str]], Any]
ROUTES: dict[tuple[str, str], tuple[str, Body | None]] = {
    ("POST", "/api/v1/auth/register"): (PUBLIC, lambda _: {"email": "x@example.com"}),
    ("POST", "/api/v1/auth/login"): (PUBLIC, lambda _: {"username": "nobody", "password": "x"}),
    ("POST", "/api/v1/auth/refresh"): (PUBLIC, lambda _: {"refresh_token": "x"}),
    ("POST", "/api/v1/auth/wallet/challenge"): (PUBLIC, lambda _: {"address": "0x1"}),
    ("POST", "/api/v1/auth/wallet/verify"): (
        PUBLIC,
        lambda _: {
            "address": "0x1",
            "nonce": "0x2",
            "signature": ["0x3", "0x4"],
            "public_key": "0x5",
        },
    ),
    ("GET", "/api/v1/markets"): (PUBLIC, None),
    ("GET", "/api/v1/markets/{market}"): (PUBLIC, None),
    ("GET", "/api/v1/markets/{market}/candles"): (PUBLIC, None),
    ("GET", "/api/v1/analytics/accounts/{account_id}"): (OWNED, None),
    ("GET", "/api/v1/analytics/accounts/{account_id}/trades.csv"): (OWNED, None),
    ("GET", "/healthz"): (PUBLIC, None),
    ("GET", "/readyz"): (PUBLIC, None),
    ("GET", "/api/v1/me"): (MINE, None),
    ("POST", "/api/v1/auth/logout"): (MINE, lambda _: {"refresh_token": "x"}),
    ("POST", "/api/v1/auth/logout-all"): (MINE, None),
    ("POST", "/api/v1/auth/password"): (
        MINE,
        lambda _: {"current_password": "x", "new_password": "y"},
    ),
    ("GET", "/api/v1/accounts"): (MINE, None),
    ("POST", "/api/v1/accounts"): (MINE, lambda _: {"kind": "live"}),
    ("GET", "/api/v1/progression/me"): (MINE, None),
    ("GET", "/api/v1/leaderboards/{board}"): (MINE, None),
    ("GET", "/api/v1/leaderboards/{board}/me"): (MINE, None),
    ("GET", "/api/v1/tournaments"): (MINE, None),
    ("GET", "/api/v1/tournaments/{tournament_id}"): (MINE, None),
    ("POST", "/api/v1/tournaments/{tournament_id}/join"): (MINE, None),
    ("GET", "/api/v1/tournaments/{tournament_id}/leaderboard"): (MINE, None),
    ("GET", "/api/v1/subscription"): (MINE, None),
    ("PUT", "/api/v1/subscription"): (MINE, lambda _: {"plan": "free"}),
    ("DELETE", "/api/v1/subscription"): (MINE, None),
    ("GET", "/api/v1/accounts/{account_id}"): (OWNED, None),
    ("GET", "/api/v1/accounts/{account_id}/activity"): (OWNED, None),
    ("PUT", "/api/v1/accounts/{account_id}/venue"): (
        OWNED,
        lambda _: {
            "api_key": "matrix-api-key",
            "vault_id": 1,
            "stark_private_key": "0x1",
            "stark_public_key": "0x2",
        },
    ),
    ("GET", "/api/v1/accounts/{account_id}/venue"): (OWNED, None),
    ("DELETE", "/api/v1/accounts/{account_id}/venue"): (OWNED, None),
    ("PUT", "/api/v1/accounts/{account_id}/leverage"): (
        OWNED,
        lambda _: {"market": "BTC-USD", "leverage": "5"},
    ),
    ("PUT", "/api/v1/accounts/{account_id}/loss-limit"): (
        OWNED,
        lambda _: {"daily_loss_limit": "100"},
    ),
    ("POST", "/api/v1/accounts/{account_id}/faucet"): (OWNED, lambda _: {"amount": "1"}),
    ("POST", "/api/v1/accounts/{account_id}/withdrawals"): (OWNED, lambda _: {"amount": "1"}),
    ("GET", "/api/v1/accounts/{account_id}/transfers"): (OWNED, None),
    ("POST", "/api/v1/orders"): (
        OWNED,
        lambda ids: {
            "account_id": ids["account_id"],
            "market": "BTC-USD",
            "side": "buy",
            "type": "market",
            "size": "0.001",
        },
    ),
    ("GET", "/api/v1/orders"): (OWNED, None),
    ("GET", "/api/v1/orders/{order_id}"): (OWNED, None),
    ("DELETE", "/api/v1/orders/{order_id}"): (OWNED, None),
    ("GET", "/api/v1/positions"): (OWNED, None),
    ("POST", "/api/v1/positions/{market}/close"): (
        OWNED,
        lambda ids: {"account_id": ids["account_id"]},
    ),
    ("GET", "/api/v1/ledger"): (OWNED, None),
    ("PUT", "/api/v1/admin/users/{user_id}/kyc"): (ADMIN, lambda _: {"kyc": False}),
    ("GET", "/api/v1/admin/users"): (ADMIN, None),
    ("PUT", "/api/v1/admin/users/{user_id}/suspension"): (ADMIN, lambda _: {"suspended": False}),
    ("POST", "/api/v1/tournaments"): (
        ADMIN,
        lambda ids: {
            "name": "Matrix",
            "markets": ["BTC-USD"],
            "starts_at": ids["now"],
            "ends_at": ids["later"],
        },
    ),
    ("GET", "/api/v1/admin/revenue"): (ADMIN, None),
    ("GET", "/api/v1/admin/analytics"): (ADMIN, None),
    ("POST", "/api/v1/admin/markets/{market}/price"): (ADMIN, lambda _: {"mark": "60000"}),
    ("POST", "/api/v1/admin/clock"): (ADMIN, lambda _: {"advance_seconds": 0}),
    ("GET", "/api/v1/admin/reconciliation"): (ADMIN, None),
    ("GET", "/api/v1/admin/audit"): (ADMIN, None),
    # social: another trader may see a public profile and its posts, never change them
    ("GET", "/api/v1/profiles/me"): (MINE, None),
    ("PUT", "/api/v1/profiles/me"): (MINE, lambda _: {"bio": "matrix"}),
    ("GET", "/api/v1/profiles/me/closed-positions"): (MINE, None),
    ("GET", "/api/v1/profiles/me/blocks"): (MINE, None),
    ("GET", "/api/v1/profiles/{username}"): (MINE, None),
    ("POST", "/api/v1/profiles/{username}/follow"): (MINE, None),
    ("DELETE", "/api/v1/profiles/{username}/follow"): (MINE, None),
    ("GET", "/api/v1/profiles/{username}/followers"): (MINE, None),
    ("GET", "/api/v1/profiles/{username}/following"): (MINE, None),
    ("GET", "/api/v1/profiles/{username}/posts"): (MINE, None),
    ("POST", "/api/v1/profiles/{username}/block"): (MINE, None),
    ("DELETE", "/api/v1/profiles/{username}/block"): (MINE, None),
    ("GET", "/api/v1/follow-requests"): (MINE, None),
    ("POST", "/api/v1/follow-requests/{request_id}/approve"): (MINE, None),
    ("POST", "/api/v1/follow-requests/{request_id}/decline"): (MINE, None),
    ("DELETE", "/api/v1/followers/{username}"): (MINE, None),
    ("POST", "/api/v1/posts"): (MINE, lambda _: {"text": "matrix"}),
    ("GET", "/api/v1/posts/{post_id}"): (MINE, None),
    ("PATCH", "/api/v1/posts/{post_id}"): (OWNED, lambda _: {"text": "edited"}),
    ("GET", "/api/v1/feed"): (MINE, None),
    ("GET", "/api/v1/markets/{market}/posts"): (MINE, None),
    ("POST", "/api/v1/posts/{post_id}/comments"): (MINE, lambda _: {"text": "matrix"}),
    ("GET", "/api/v1/posts/{post_id}/comments"): (MINE, None),
    ("DELETE", "/api/v1/comments/{comment_id}"): (OWNED, None),
    ("PUT", "/api/v1/posts/{post_id}/reaction"): (MINE, lambda _: {"kind": "like"}),
    ("DELETE", "/api/v1/posts/{post_id}/reaction"): (MINE, None),
    ("DELETE", "/api/v1/posts/{post_id}"): (OWNED, None),
    ("POST", "/api/v1/reports"): (
        MINE,
        lambda ids: {"target_type": "post", "target_id": ids["post_id"], "reason": "spam"},
    ),
    # copy trading: one's own leading; leaders and their statistics are for every trader;
    # a copy is its copier's (no copy exists here: everyone's 404, the integration tests
    # show another trader's real copy answering 404)
    ("POST", "/api/v1/copies"): (MINE, lambda _: {"leader": "nobody", "allocation": "100"}),
    ("GET", "/api/v1/copies"): (MINE, None),
    ("GET", "/api/v1/copies/{copy_id}"): (OWNED, None),
    ("GET", "/api/v1/copies/{copy_id}/decisions"): (OWNED, None),
    ("DELETE", "/api/v1/copies/{copy_id}"): (OWNED, None),
    ("POST", "/api/v1/leaders/me"): (MINE, lambda _: {"profit_share": "0.1"}),
    ("DELETE", "/api/v1/leaders/me"): (MINE, None),
    ("GET", "/api/v1/leaders"): (MINE, None),
    ("GET", "/api/v1/leaders/{username}"): (MINE, None),
    ("GET", "/api/v1/leaders/{username}/equity"): (MINE, None),
    ("GET", "/api/v1/admin/reports"): (ADMIN, None),
    ("POST", "/api/v1/admin/reports/{report_id}/resolve"): (
        ADMIN,
        lambda _: {"action": "dismiss"},
    ),
    # badges: metadata, images, credentials and the key are public; one's own list with
    # mint status; a profile's list as its visibility allows; admins revoke
    ("GET", "/api/v1/badges/me"): (MINE, None),
    ("GET", "/api/v1/users/{username}/badges"): (PUBLIC, None),
    ("GET", "/api/v1/badges/issuer"): (PUBLIC, None),
    ("GET", "/api/v1/badges/achievements/{achievement}"): (PUBLIC, None),
    ("GET", "/api/v1/badges/achievements/{achievement}/image.svg"): (PUBLIC, None),
    ("GET", "/api/v1/badges/status/{holder}"): (PUBLIC, None),
    ("GET", "/api/v1/badges/{token_id}"): (PUBLIC, None),
    ("GET", "/api/v1/badges/{token_id}/image.svg"): (PUBLIC, None),
    ("GET", "/api/v1/badges/{token_id}/credential"): (PUBLIC, None),
    ("GET", "/.well-known/jwks.json"): (PUBLIC, None),
    ("POST", "/api/v1/admin/badges/{token_id}/revoke"): (ADMIN, lambda _: {"reason": "matrix"}),
    ("GET", "/api/v1/admin/badges/mints"): (ADMIN, None),
}
QUERIES = {
    "/api/v1/orders": "account_id",
    "/api/v1/positions": "account_id",
    "/api/v1/ledger": "account_id",
    "/api/v1/admin/audit": "aggregate_id",
}


def url(path: str, ids: dict[str, str]) -> str:
    filled = path.format(**ids)
    if path in QUERIES:
        filled += f"?{QUERIES[path]}={ids['account_id']}"
    return filled.removeprefix("/api/v1")


def call(client: Any, method: str, path: str, ids: dict[str, str], body: Body | None) -> int:
    status, _ = answer(client, method, path, ids, body)
    return status


def answer(
    client: Any, method: str, path: str, ids: dict[str, str], body: Body | None
) -> tuple[int, str]:
    target = url(path, ids)
    if path in ("/healthz", "/readyz", "/.well-known/jwks.json"):
        target = f"{client.base_url.scheme}://{client.base_url.host}:{client.base_url.port}{path}"
    response = client.request(method, target, json=body(ids) if body else None)
    assert response.status_code < 500, (method, path, response.status_code, response.text)
    data = response.json() if response.content else {}
    error = data.get("error") if isinstance(data, dict) else None
    return response.status_code, str(error.get("message", "")) if isinstance(error, dict) else ""


def test_every_route_answers_each_caller_rightly(
    admin: Admin, trader: Trader, new_trader: Any
) -> None:
    spec = trader.get("/../../openapi.json").json()
    listed = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops}
    assert listed == set(ROUTES), (listed - set(ROUTES), set(ROUTES) - listed)

    admin.reset_prices()
    order = trader.place(
        market="BTC-USD", side="buy", type="limit", size="0.001", price="30000"
    ).json()
    now = datetime.fromisoformat(admin.clock(advance_seconds=0))
    tournament = admin.post(
        "/tournaments",
        json={
            "name": "Matrix",
            "markets": ["BTC-USD"],
            "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(hours=1)).isoformat(),
        },
    ).json()
    post = trader.post("/posts", json={"text": "matrix $BTC"}).json()
    comment = trader.post(f"/posts/{post['post_id']}/comments", json={"text": "mine"}).json()
    ids = {
        "username": trader.username,
        "post_id": post["post_id"],
        "comment_id": comment["comment_id"],
        "request_id": "no-such-request",
        "report_id": "no-such-report",
        "copy_id": "no-such-copy",
        "account_id": trader.account_id,
        "order_id": order["order_id"],
        "market": "BTC-USD",
        "board": "xp",
        "tournament_id": tournament["tournament_id"],
        "user_id": trader.user_id,
        "token_id": "1",  # no such badge: a JSON 404 where the caller gets through
        "holder": "0" * 32,
        "achievement": "NO_SUCH_ACHIEVEMENT",
        "now": now.isoformat(),
        "later": (now + timedelta(hours=2)).isoformat(),
    }
    other = new_trader()
    wrong: list[str] = []
    with make_client(trader.server) as anonymous:
        for (method, path), (kind, body) in ROUTES.items():
            # Public routes may still answer 401 for bad credentials, never for no token.
            status, message = answer(anonymous, method, path, ids, body)
            asked_for_token = status == 401 and message == "missing bearer token"
            if (kind == PUBLIC) == asked_for_token:
                wrong.append(f"anonymous {method} {path}: {status} {message}")
    for (method, path), (kind, body) in ROUTES.items():
        if kind in (OWNED, ADMIN):
            status = call(other.client, method, path, ids, body)
            expected = 404 if kind == OWNED else 403
            if status != expected:
                wrong.append(f"another trader {method} {path}: {status}, not {expected}")
    for (method, path), (kind, body) in ROUTES.items():
        if kind == ADMIN:
            status = call(admin.client, method, path, ids, body)
            if status in (401, 403):
                wrong.append(f"admin {method} {path}: {status}")
    assert wrong == []
