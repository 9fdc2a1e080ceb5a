"""How copies end, on a whole platform (SQLite and PostgreSQL): the leader stopping, a
block either way, trading's stop-loss and a refused funding; and the weekly profit share,
settled once a copy a week across a restart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from copying_support import (
    Api,
    FakeTrading,
    from_trading,
    make_leader,
    practice_account,
    set_plan,
)

from astratrade.copytrading.domain.commands import StopLeading
from astratrade.copytrading.views import copies as views
from astratrade.social.domain.commands import BlockUser

D = Decimal
START = datetime(2026, 3, 2, 9, 0, 30, tzinfo=UTC)  # the integration platform's clock


async def copying(api: Api, trading: FakeTrading, *copiers: str) -> dict[str, dict[str, Any]]:
    """`ada` leads; each copier copies her with 1,000."""
    await api.sign_up("ada", *copiers)
    await make_leader(api.platform, api.ids["ada"])
    copies = {}
    for name in copiers:
        source = await practice_account(api.platform, api.ids[name])
        await set_plan(api.platform, api.ids[name], "pro", 3)
        trading.hold(source, equity=5000, available=5000, collateral=5000)
        answer = await api.call(
            name, "POST", "/copies", json={"leader": "ada", "allocation": "1000"}
        )
        assert answer.status_code == 201, answer.text
        copies[name] = answer.json()
    return copies


async def copy_now(api: Api, name: str, copy: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = (await api.call(name, "GET", f"/copies/{copy['id']}")).json()
    return found


async def test_the_leader_stopping_or_a_block_stops_their_copies(
    api: Api, trading: FakeTrading
) -> None:
    copies = await copying(api, trading, "ben", "cat", "dan")
    await api.platform.bus.execute(BlockUser(user_id=api.ids["ada"], username="cat"))
    await api.platform.backbone.drain()
    assert (await copy_now(api, "cat", copies["cat"]))["stop_reason"] == "blocked"
    await api.platform.bus.execute(StopLeading(user_id=api.ids["ada"]))
    await api.platform.backbone.drain()
    for name in ("ben", "dan"):
        now = await copy_now(api, name, copies[name])
        assert (now["status"], now["stop_reason"]) == ("stopping", "leader_stopped")


async def test_trading_s_stop_loss_and_refused_funding_end_copies(
    api: Api, trading: FakeTrading
) -> None:
    copies = await copying(api, trading, "ben", "cat")
    ben, cat = copies["ben"], copies["cat"]
    await from_trading(
        api.platform,
        "CopyStopLossReached",
        {
            "copy_id": ben["id"],
            "copy_account_id": ben["copy_account_id"],
            "equity": "500",
            "floor": "500",
        },
    )
    assert (await copy_now(api, "ben", ben))["stop_reason"] == "stop_loss"
    await from_trading(
        api.platform,
        "CopyAccountFlattened",
        {"copy_id": ben["id"], "copy_account_id": ben["copy_account_id"], "collateral": "480"},
    )
    closed = await copy_now(api, "ben", ben)
    assert (closed["status"], closed["returned"], closed["profit_share_paid"]) == (
        "closed",
        "480",
        "0",
    )
    await from_trading(
        api.platform,
        "CopyFundingRefused",
        {
            "copy_id": cat["id"],
            "copy_account_id": cat["copy_account_id"],
            "source_account_id": cat["source_account_id"],
            "reason": "insufficient_available",
        },
    )
    refused = await copy_now(api, "cat", cat)
    assert (refused["status"], refused["stop_reason"], refused["returned"]) == (
        "closed",
        "funding_refused",
        "0",
    )
    leader = (await api.call("ben", "GET", "/leaders/ada")).json()
    assert (leader["copiers"], leader["allocated"]) == (0, "0")


async def test_the_weekly_share_is_settled_once_a_week_across_a_restart(
    api: Api, trading: FakeTrading, make_platform: Any
) -> None:
    copies = await copying(api, trading, "ben")
    ben = copies["ben"]
    leader = (await api.call("ben", "GET", "/leaders/ada")).json()
    assert (leader["copiers"], leader["allocated"]) == (1, "1000")
    trading.hold(ben["copy_account_id"], equity=1250, available=1250, collateral=1200)
    platform = api.platform
    monday = START - timedelta(days=START.weekday()) + timedelta(weeks=1)
    monday = monday.replace(hour=0, minute=0, second=0)
    platform.clock.set(monday - timedelta(seconds=1))  # type: ignore[attr-defined]
    await platform.on_time()
    assert await shares(api, ben) == []
    platform.clock.set(monday)  # type: ignore[attr-defined]
    await platform.on_time()
    await platform.on_time()
    # 200 of profit on the collateral (an open profit is not charged): 10 % of it.
    assert await shares(api, ben) == [(D(20), "2026-W10")]

    again = make_platform()  # a restart, the same week: nothing more
    await again.start()
    try:
        await again.on_time()
    finally:
        await again.stop()
    await platform.on_time()
    assert await shares(api, ben) == [(D(20), "2026-W10")]
    settled = await views.copy_of(api.platform.read_db, api.ids["ben"], ben["id"])
    assert (settled.high_water_mark, settled.profit_share_paid) == (D(200), D(20))


async def shares(api: Api, copy: dict[str, Any]) -> list[tuple[Decimal | None, str | None]]:
    """Read beside the API: a week on, the copier's access token has expired."""
    page = await views.decisions_of(api.platform.read_db, api.ids["ben"], copy["id"], None, 50)
    return [(d.size, d.reason) for d in page.items if d.kind == "profit_share"]
