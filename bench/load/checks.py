"""What a run must leave true, read back through the API: every order the platform answered
2xx exists exactly once, and each trader's XP is docs/progression-rules.md applied to the
trader's closes (read from the social read model of closed positions, not gamification's)."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx

API = "/api/v1"
SETTLE_SECONDS = 60.0  # read models follow the events; after a kill, the restarted ones too

# docs/progression-rules.md, restated: the check is the rules, not the code that applies them
XP_A_CLOSE = 10
CLOSES_A_DAY = 10
FIRST_OF_DAY = 50
STREAK_STEP, STREAK_CAP = 10, 10
ACHIEVEMENTS = {"FIRST_TRADE": (1, 100), "TRADER_NOVICE": (10, 250), "TRADER_EXPERT": (100, 500)}
DIVERSIFIER_MARKETS, DIVERSIFIER_XP = 3, 150
PROFIT_MASTER_WINDOW, PROFIT_MASTER_MIN, PROFIT_MASTER_RATIO, PROFIT_MASTER_XP = (
    20,
    10,
    Decimal("0.7"),
    750,
)


def sign_in(client: httpx.Client, trader: dict[str, Any]) -> None:
    body = {"username": trader["username"], "password": trader["password"]}
    response = client.post(f"{API}/auth/login", json=body)
    response.raise_for_status()
    client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"


def order_violations(
    client: httpx.Client, account_id: str, accepted: list[dict[str, Any]]
) -> list[str]:
    response = client.get(f"{API}/orders", params={"account_id": account_id, "limit": 500})
    response.raise_for_status()
    stored = response.json()
    if len(stored) == 500:
        return [f"{account_id}: 500 orders or more, past what one read shows"]
    by_id = Counter(o["order_id"] for o in stored)
    by_client_id = Counter(o.get("client_order_id") for o in stored if o.get("client_order_id"))
    found = [
        f"order {o['order_id']} answered 2xx but stored {by_id[o['order_id']]} times"
        for o in accepted
        if by_id[o["order_id"]] != 1
    ]
    found += [f"client order {c} stored {n} times" for c, n in by_client_id.items() if n > 1]
    return found


def closes_of(client: httpx.Client) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 50, **({"cursor": cursor} if cursor else {})}
        page = client.get(f"{API}/profiles/me/closed-positions", params=params).json()
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items


def expected_xp(closes: list[dict[str, Any]]) -> int:
    """The rules over closes without stop-losses (the crowd sets none) or liquidations."""
    ordered = sorted(closes, key=lambda c: c["closed_at"])
    per_day = Counter(date.fromisoformat(c["closed_at"][:10]) for c in ordered)
    xp, streak, previous = 0, 0, None
    for day in sorted(per_day):
        streak = streak + 1 if previous == day - timedelta(days=1) else 1
        xp += FIRST_OF_DAY + STREAK_STEP * min(streak - 1, STREAK_CAP)
        xp += XP_A_CLOSE * min(per_day[day], CLOSES_A_DAY)
        previous = day
    xp += sum(bonus for needed, bonus in ACHIEVEMENTS.values() if len(ordered) >= needed)
    if len({c["trade_share"]["market"] for c in ordered}) >= DIVERSIFIER_MARKETS:
        xp += DIVERSIFIER_XP
    if _profit_master(ordered):
        xp += PROFIT_MASTER_XP
    return xp


def _profit_master(ordered: list[dict[str, Any]]) -> bool:
    """Once reached over some last-20 window it stays: judged after every close."""
    wins = [Decimal(c["trade_share"]["roi_pct"]) > 0 for c in ordered]
    for end in range(PROFIT_MASTER_MIN, len(wins) + 1):
        window = wins[max(0, end - PROFIT_MASTER_WINDOW) : end]
        if sum(window) >= PROFIT_MASTER_RATIO * len(window):
            return True
    return False


def xp_violation(client: httpx.Client, username: str) -> str | None:
    """Waits for the read models to agree on the close count, then compares."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        progression = client.get(f"{API}/progression/me").json()
        closes = closes_of(client)
        settled = progression["closes"] == len(closes)
        if settled and progression["xp"] == expected_xp(closes):
            return None
        if time.monotonic() > deadline:
            return (
                f"{username}: xp {progression['xp']} over {progression['closes']} closes, "
                f"the rules over the {len(closes)} closed positions give "
                f"{expected_xp(closes)}"
            )
        time.sleep(1)


def violations(base_url: str, records: list[dict[str, Any]]) -> tuple[list[str], dict[str, int]]:
    traders = [r for r in records if r["kind"] == "trader"]
    orders = [r for r in records if r["kind"] == "order"]
    found: list[str] = []
    counted = {"traders": len(traders), "orders": len(orders), "closes": 0}
    for trader in traders:
        with httpx.Client(base_url=base_url, timeout=30) as client:
            sign_in(client, trader)
            mine = [o for o in orders if o["account_id"] == trader["account_id"]]
            found += order_violations(client, trader["account_id"], mine)
            problem = xp_violation(client, trader["username"])
            counted["closes"] += len(closes_of(client))
            if problem:
                found.append(problem)
    return found, counted
