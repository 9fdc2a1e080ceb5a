"""Copies over HTTP on a whole platform (SQLite and PostgreSQL), trading's answers faked at
its read (`copy_states`) and its events handed to the bus: the opening rules in their
order, a copy's life from funding to its return, and who sees what."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from copying_support import Api, FakeTrading, from_trading, make_leader, practice_account, set_plan

D = Decimal


async def copier_and_leader(api: Api, trading: FakeTrading) -> dict[str, str]:
    await api.sign_up("ada", "ben")
    platform = api.platform
    leader_account = await make_leader(platform, api.ids["ada"])
    source = await practice_account(platform, api.ids["ben"])
    await set_plan(platform, api.ids["ben"], "pro", 3)
    trading.hold(source, equity=5000, available=5000, collateral=5000)
    return {"leader_account": leader_account, "source": source}


def error(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, (answer.status_code, answer.text)
    found: dict[str, Any] = answer.json()["error"]
    return found


async def test_the_opening_rules_answer_in_their_order(api: Api, trading: FakeTrading) -> None:
    await copier_and_leader(api, trading)

    async def open_(who: str = "ben", **body: Any) -> Any:
        return await api.call(who, "POST", "/copies", json={"leader": "ada", **body})

    assert error(await open_(allocation="99.99", leader="nobody"), 422)["field"] == "allocation"
    bad_loss = await open_(allocation="100", max_loss="0.95")
    assert error(bad_loss, 422)["field"] == "max_loss"
    assert error(await open_(allocation="x"), 422)["field"] == "allocation"
    assert error(await open_(allocation="100", extra=1), 422)["field"] == "extra"
    assert (
        "nobody copies themselves"
        in error(await open_("ben", allocation="100", leader="ben"), 400)["message"]
    )
    assert error(await open_(allocation="100", leader="nobody"), 404)["code"] == "not_found"
    too_much = error(await open_(allocation="5000.01"), 422)
    assert (too_much["field"], too_much["message"]) == (
        "allocation",
        "allocation was 5000.01, only 5000 is available",
    )
    await api.sign_up("cat")  # on the free plan: no slot
    cat_source = await practice_account(api.platform, api.ids["cat"])
    trading.hold(cat_source, available=1000)
    assert "free plan allows 0" in error(await open_("cat", allocation="100"), 400)["message"]
    assert (await api.call("ben", "GET", "/copies")).json()["items"] == []  # nothing was kept


async def test_a_copy_opens_is_funded_copies_a_fill_once_and_closes(
    api: Api, trading: FakeTrading
) -> None:
    ids = await copier_and_leader(api, trading)
    platform = api.platform
    answer = await api.call("ben", "POST", "/copies", json={"leader": "ADA", "allocation": "1000"})
    assert answer.status_code == 201, answer.text
    copy = answer.json()
    assert copy["leader"] == {"user_id": api.ids["ada"], "username": "ada"}
    assert (copy["status"], copy["funded"], copy["max_loss"], copy["stop_equity"]) == (
        "active",
        False,
        "0.5",
        "500",
    )
    assert copy["source_account_id"] == ids["source"]
    copy_id, account = copy["id"], copy["copy_account_id"]

    # Trading funds it; the copy account then holds 1,000.
    trading.hold(account, equity=1000, available=1000, collateral=1000)
    await from_trading(
        platform,
        "CopyAccountFunded",
        {
            "copy_id": copy_id,
            "copy_account_id": account,
            "source_account_id": ids["source"],
            "owner_id": api.ids["ben"],
            "amount": "1000",
        },
    )
    # The leader opens 0.5 BTC at 60,000 on 120,000 of equity: the copy
    # 0.5 x 1,000 / 120,000 = 0.00416 on the step.
    fill = {
        "fill_id": "fill-1",
        "account_id": ids["leader_account"],
        "owner_id": api.ids["ada"],
        "market": "BTC-USD",
        "side": "buy",
        "size": "0.5",
        "price": "60000",
        "position_before": "0",
        "equity": "120000",
        "leverage": "10",
        "liquidation": False,
    }
    event_id = await from_trading(platform, "LeaderFilled", fill)
    await from_trading(platform, "LeaderFilled", fill, event_id)  # redelivered: decides once
    decisions = (await api.call("ben", "GET", f"/copies/{copy_id}/decisions")).json()["items"]
    assert [d["kind"] for d in decisions] == ["copied", "funded"]
    copied = decisions[0]
    assert (copied["action"], copied["side"], copied["size"], copied["leverage"]) == (
        "open",
        "buy",
        "0.00416",
        "10",
    )
    assert copied["leader_fill"] == {"id": "fill-1", "size": "0.5", "price": "60000"}

    page = (await api.call("ben", "GET", f"/copies/{copy_id}/decisions?limit=1")).json()
    assert [d["kind"] for d in page["items"]] == ["copied"]
    rest = await api.call("ben", "GET", f"/copies/{copy_id}/decisions?cursor={page['next_cursor']}")
    assert [d["kind"] for d in rest.json()["items"]] == ["funded"]

    trading.hold_position(account, "BTC-USD", "0.00416")
    one = (await api.call("ben", "GET", f"/copies/{copy_id}")).json()
    assert one["funded"] is True
    assert one["account"]["equity"] == "1000"
    assert one["account"]["positions"] == [
        {"market": "BTC-USD", "side": "long", "size": "0.00416", "mark_price": "60000"}
    ]
    assert (await api.call("ada", "GET", f"/copies/{copy_id}")).status_code == 404
    assert (await api.call("ada", "DELETE", f"/copies/{copy_id}")).status_code == 404

    stopping = await api.call("ben", "DELETE", f"/copies/{copy_id}")
    assert (stopping.status_code, stopping.json()["status"]) == (202, "stopping")
    assert error(await api.call("ben", "DELETE", f"/copies/{copy_id}"), 409)["code"] == (
        "copy_not_active"
    )
    # Trading closed the position: 1,100 left, 100 of profit, 10 % of it to the leader.
    await from_trading(
        platform,
        "CopyAccountFlattened",
        {
            "copy_id": copy_id,
            "copy_account_id": account,
            "collateral": "1100",
        },
    )
    closed = (await api.call("ben", "GET", f"/copies/{copy_id}")).json()
    assert (closed["status"], closed["stop_reason"], closed["returned"]) == (
        "closed",
        "by_copier",
        "1090",
    )
    assert closed["profit_share_paid"] == "10"
    kinds = [
        d["kind"]
        for d in (await api.call("ben", "GET", f"/copies/{copy_id}/decisions")).json()["items"]
    ]
    assert kinds == ["closed_copy", "profit_share", "stopping", "copied", "funded"]
    await from_trading(
        platform,
        "ProfitShareDebited",
        {
            "copy_id": copy_id,
            "copy_account_id": account,
            "leader_account_id": ids["leader_account"],
            "amount": "10",
            "transfer_id": "t1",
        },
    )
    leader = (await api.call("ben", "GET", "/leaders/ada")).json()
    assert (leader["copiers"], leader["allocated"], leader["profit_share_earned"]) == (0, "0", "10")
    listed = (await api.call("ben", "GET", "/copies?status=closed")).json()["items"]
    assert [c["id"] for c in listed] == [copy_id]
