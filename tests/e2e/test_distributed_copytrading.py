"""The copy-trading service in distributed mode (`astratrade up --distributed` on PostgreSQL
and Redis), driven through the gateway: its read models follow users', gamification's
and trading's events over the streams (a closed position counted, the refusal naming what
is still missing); killed (SIGKILL), its routes answer 503 naming it while trading goes
on; started again by `up`, it catches up on the closes it missed. Then the same trader
leads, three copiers copy them, and the service is killed twice more, each time right
after a leader fill, while the leader trades: once `up` has started it again, every leader
fill is decided exactly once for every copy (copied, closed or skipped with a reason; no
gap, no duplicate), every copied decision is one order on the copy account (client order
id = the decision's id), and the ledger reconciles. On the same cluster, the badges
service: the first close's badge arrives over gamification's stream, and its credential,
signed with the configured key, verifies against the JWK set the gateway routes from the
root to the badges service."""

from __future__ import annotations

import base64
import json
import os
import signal
import warnings
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from joserfc import jws
from joserfc.jwk import KeySet

from .conftest import Admin, Trader, create_trader, new_admin
from .distributed import STARTUP_SECONDS, Distributed, distributed
from .test_distributed_journey import round_trip, until_within

pytestmark = [pytest.mark.redis, pytest.mark.postgres]
SIGNING_KEY = base64.urlsafe_b64encode(bytes(range(32))).decode()  # every replica's
RESTART_AFTER = 8.0  # seconds `up` waits before starting a killed service again


@pytest.fixture
def server(
    tmp_path: Path, fresh_postgres_url: str, redis_url: str, redis_prefix: str
) -> Iterator[Distributed]:
    with distributed(
        tmp_path,
        fresh_postgres_url,
        redis_url,
        redis_prefix,
        realtime_replicas=0,  # no sockets here; two processes fewer on 2 cores
        restart_after=RESTART_AFTER,
        clock="system",
        badge_signing_key=SIGNING_KEY,
    ) as srv:
        yield srv


def refusal(trader: Trader) -> str:
    answer = trader.post("/leaders/me", json={})
    return str(answer.json()["error"]["message"]) if answer.status_code == 400 else ""


def decisions(copier: Trader, copy_id: str) -> list[dict[str, Any]]:
    """Every decision of the copy, all pages."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = copier.get(f"/copies/{copy_id}/decisions", params=params)
        if page.status_code == 503:  # not back yet: nothing read
            return []
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return items


def fill_decisions(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The decisions a leader fill makes (trading's answers and the rest left out)."""
    return [d for d in items if d["kind"] in ("copied", "closed", "skipped")]


def leader_fills(leader: Trader) -> list[str]:
    orders = leader.orders(limit=500)
    return [f["fill_id"] for o in orders if o["market"] == "BTC-USD" for f in o["fills"]]


def open_copy(copier: Trader, leader: Trader) -> dict[str, Any]:
    upgraded = copier.put("/subscription", json={"plan": "pro"})
    assert upgraded.status_code == 200, upgraded.text
    body = {"leader": leader.username, "allocation": "1000"}
    opened = until_within(  # the plan reaches copy trading over the streams
        lambda: copier.post("/copies", json=body), lambda r: r.status_code == 201, 30
    )
    assert opened.status_code == 201, opened.text
    copy: dict[str, Any] = opened.json()
    funded = until_within(
        lambda: copier.get(f"/copies/{copy['id']}").json(), lambda c: c["funded"], 30
    )
    assert funded["funded"], funded
    return copy


def kill_and_trade_on(server: Distributed, trade: Any) -> None:
    """SIGKILL the copy-trading service right after a leader fill (its worker may be
    deciding it), the leader trading on while it is down; back when `up` has started it."""
    starts = server.starts_of("copytrading")
    os.kill(server.pid_of("copytrading"), signal.SIGKILL)
    trade()
    restarted = until_within(
        lambda: server.starts_of("copytrading"), lambda n: n > starts, RESTART_AFTER + 10
    )
    assert restarted > starts, server.log_tail()


def test_copytrading_follows_the_streams_and_catches_up_after_a_kill(
    server: Distributed,
) -> None:
    admin = Admin(server, new_admin(server), "")
    admin.reset_prices()
    lea = create_trader(server, "lea")
    round_trip(lea)
    badge_verifies(server, lea)
    message = until_within(
        lambda: refusal(lea), lambda m: "level is 2" in m and "1 closed" in m, STARTUP_SECONDS
    )
    assert "level is 2, at least 3 is needed" in message, message  # 160 XP for the first
    assert "1 closed positions, at least 20 are needed" in message, message
    assert lea.get("/leaders").json() == {"items": [], "next_cursor": None}

    os.kill(server.pid_of("copytrading"), signal.SIGKILL)
    down = until_within(lambda: lea.get("/leaders"), lambda r: r.status_code == 503, 10)
    assert (down.status_code, down.json()["error"]["service"]) == (503, "copytrading")
    round_trip(lea)  # trading goes on without it
    round_trip(lea)

    back = until_within(
        lambda: refusal(lea), lambda m: "3 closed positions" in m, RESTART_AFTER + STARTUP_SECONDS
    )
    assert "3 closed positions, at least 20 are needed" in back, back

    # Leading: twenty closes at level 3 (the twentieth close reaches level 3).
    for _ in range(17):
        round_trip(lea)
    led = until_within(lambda: lea.post("/leaders/me", json={}), lambda r: r.status_code == 200, 30)
    assert led.status_code == 200, led.text
    copiers = [create_trader(server, "cop") for _ in range(3)]
    copies = {copier.username: open_copy(copier, lea) for copier in copiers}

    # The leader trades; copy trading is killed right after a fill (mid-decision, maybe)
    # and the leader goes on while it is down.
    lea.market("buy", "0.1")
    lea.market("buy", "0.05")
    kill_and_trade_on(server, lambda: (lea.market("sell", "0.05"), lea.market("buy", "0.02")))
    back_up = until_within(lambda: lea.get("/leaders"), lambda r: r.status_code == 200, 60)
    assert back_up.status_code == 200, back_up.text  # deciding what it missed, meanwhile
    lea.market("sell", "0.12")  # flat: every copy closes
    lea.market("sell", "0.03")  # short
    kill_and_trade_on(server, lambda: lea.market("buy", "0.03"))  # flat again
    back_up = until_within(lambda: lea.get("/leaders"), lambda r: r.status_code == 200, 60)
    assert back_up.status_code == 200, back_up.text
    lea.market("buy", "0.01")  # after the restarts
    fills = leader_fills(lea)
    assert len(fills) == 8, fills
    for copier in copiers:
        copy_id = copies[copier.username]["id"]
        decided = until_within(
            lambda c=copier, i=copy_id: fill_decisions(decisions(c, i)),  # type: ignore[misc]
            lambda d: len(d) >= len(fills),
            STARTUP_SECONDS,
        )
        per_fill = Counter(d["leader_fill"]["id"] for d in decided)
        assert per_fill == Counter(fills), (copier.username, per_fill, fills)  # once each
        assert all(d["reason"] for d in decided if d["kind"] == "skipped"), decided
        copied = [d["id"] for d in decided if d["kind"] == "copied"]
        assert copied, decided
        account_id = copies[copier.username]["copy_account_id"]

        def orders_of(c: Trader = copier, a: str = account_id) -> list[dict[str, Any]]:
            answer = c.get("/orders", params={"account_id": a, "limit": 500})
            assert answer.status_code == 200, answer.text
            return list(answer.json())

        wanted = set(copied)
        orders = until_within(
            orders_of, lambda o, w=wanted: w <= {x["client_order_id"] for x in o}, 30
        )
        by_client_id = Counter(o["client_order_id"] for o in orders)
        assert all(by_client_id[d] == 1 for d in copied), (by_client_id, copied)
        assert all(n == 1 for n in by_client_id.values()), by_client_id

    proof = admin.get("/admin/reconciliation").json()
    assert (proof["proven"], proof["discrepancies"]) == (True, []), proof


def badge_verifies(server: Distributed, trader: Trader) -> None:
    mine = until_within(
        lambda: trader.get("/badges/me").json().get("items", []), bool, STARTUP_SECONDS
    )
    assert [b["achievement"] for b in mine] == ["FIRST_TRADE"], mine
    jwks = httpx.get(f"{server.base_url}/.well-known/jwks.json").json()
    token = httpx.get(f"{server.base_url}/api/v1/badges/{mine[0]['token_id']}/credential")
    assert token.status_code == 200, token.text
    with warnings.catch_warnings():  # RFC 9864 prefers "Ed25519"; the platform signs "EdDSA"
        warnings.simplefilter("ignore")
        checked = jws.deserialize_compact(
            token.text, KeySet.import_key_set(jwks), algorithms=["EdDSA"]
        )
    credential: dict[str, Any] = json.loads(checked.payload)
    assert credential["credentialSubject"]["achievement"]["name"] == "First Trade"
