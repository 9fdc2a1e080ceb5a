"""Copies over HTTP on a whole platform (SQLite and PostgreSQL) with the platform's own
trading: the opening rules in their order; a copy funded from the practice account, a real
leader fill copied once (though delivered twice) at the size the specification gives, the
copy account's position, stopping (trading flattens at market), the final profit share to
the leader and the rest back, to the cent; who sees what."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from copy_figures import copy_size, fill_price, share, taker_fee
from copying_support import Api, collateral, events_of, reconciled, redeliver

D = Decimal


async def copier_and_leader(api: Api) -> None:
    """ada leads (10 %), ben is on Pro; each holds the practice grant of 10,000."""
    await api.sign_up("ada", "ben")
    await api.lead("ada")
    await api.subscribe("ben")
    await api.mark("BTC-USD", "60000")


def error(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, (answer.status_code, answer.text)
    found: dict[str, Any] = answer.json()["error"]
    return found


async def test_the_opening_rules_answer_in_their_order(api: Api) -> None:
    await copier_and_leader(api)

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
    too_much = error(await open_(allocation="10000.01"), 422)
    assert (too_much["field"], too_much["message"]) == (
        "allocation",
        "allocation was 10000.01, only 10000 is available",
    )
    await api.sign_up("cat")  # on the free plan: no slot
    assert "free plan allows 0" in error(await open_("cat", allocation="100"), 400)["message"]
    assert (await api.call("ben", "GET", "/copies")).json()["items"] == []  # nothing was kept
    assert await collateral(api.platform, api.accounts["ben"]) == [D(10_000)]


async def test_a_copy_opens_is_funded_copies_a_fill_once_and_closes(api: Api) -> None:
    await copier_and_leader(api)
    platform = api.platform
    answer = await api.call("ben", "POST", "/copies", json={"leader": "ADA", "allocation": "1000"})
    assert answer.status_code == 201, answer.text
    copy = answer.json()
    assert copy["leader"] == {"user_id": api.ids["ada"], "username": "ada"}
    assert (copy["status"], copy["max_loss"], copy["stop_equity"]) == ("active", "0.5", "500")
    assert copy["source_account_id"] == api.accounts["ben"]
    copy_id, account = copy["id"], copy["copy_account_id"]

    # Trading funded it from the practice account.
    assert (await api.copy("ben", copy_id))["funded"] is True
    assert await collateral(platform, api.accounts["ben"], account) == [D(9000), D(1000)]

    # ada buys 0.5 BTC at the mark 60,000: her fill, her fee, her equity right after it.
    await api.trade("ada", "0.5", "buy")
    leader_price = fill_price("BTC-USD", "buy", "0.5", "60000")
    assert leader_price == D("60007.8")  # 1.3 bp of slippage on 30,000, up to the tick
    leader_equity = D(10_000) - taker_fee("0.5", leader_price) + D("0.5") * (60000 - leader_price)
    (filled,) = await events_of(platform, api.accounts["ada"], "LeaderFilled")
    assert D(filled.payload["equity"]) == leader_equity == D("9988.599025")
    # The copy: 0.5 x 1,000 / 9,988.599025 = 0.050057... down to the step, at ada's 5x.
    size = copy_size("BTC-USD", "0.5", D(1000), leader_equity)
    assert size == D("0.05005")
    await redeliver(platform, filled)  # delivered again: decided once
    decisions = await api.decisions("ben", copy_id)
    assert [d["kind"] for d in decisions] == ["copied", "funded"]
    copied = decisions[0]
    assert (copied["action"], copied["side"], D(copied["size"]), copied["leverage"]) == (
        "open",
        "buy",
        size,
        "5",
    )
    assert copied["leader_fill"]["size"] == "0.5"
    assert D(copied["leader_fill"]["price"]) == leader_price

    page = (await api.call("ben", "GET", f"/copies/{copy_id}/decisions?limit=1")).json()
    assert [d["kind"] for d in page["items"]] == ["copied"]
    rest = await api.call("ben", "GET", f"/copies/{copy_id}/decisions?cursor={page['next_cursor']}")
    assert [d["kind"] for d in rest.json()["items"]] == ["funded"]

    entry = fill_price("BTC-USD", "buy", size, "60000")
    open_fee = taker_fee(size, entry)
    assert (entry, open_fee) == (D("60006.2"), D("0.750828"))
    one = await api.copy("ben", copy_id)
    assert D(one["account"]["equity"]) == D(1000) - open_fee + size * (60000 - entry)
    assert D(one["account"]["collateral"]) == D(1000) - open_fee
    assert one["account"]["positions"] == [
        {"market": "BTC-USD", "side": "long", "size": str(size), "mark_price": "60000"}
    ]
    assert (await api.call("ada", "GET", f"/copies/{copy_id}")).status_code == 404
    assert (await api.call("ada", "DELETE", f"/copies/{copy_id}")).status_code == 404

    # The mark rises to 63,000; ben stops: trading sells the copy's position at market.
    await api.mark("BTC-USD", "63000")
    stopping = await api.call("ben", "DELETE", f"/copies/{copy_id}")
    assert (stopping.status_code, stopping.json()["status"]) == (202, "stopping")
    assert error(await api.call("ben", "DELETE", f"/copies/{copy_id}"), 409)["code"] == (
        "copy_not_active"
    )
    exit_ = fill_price("BTC-USD", "sell", size, "63000")
    left = D(1000) - open_fee + size * (exit_ - entry) - taker_fee(size, exit_)
    paid = share("0.1", left - 1000)
    assert (exit_, left, paid) == (D("62993.5"), D("1147.975331"), D("14.797533"))
    closed = await api.copy("ben", copy_id)
    assert (closed["status"], closed["stop_reason"], D(closed["returned"])) == (
        "closed",
        "by_copier",
        left - paid,
    )
    assert (D(closed["profit_share_paid"]), D(closed["high_water_mark"])) == (paid, left - 1000)
    assert closed["account"] is None  # trading closed the copy account
    kinds = [d["kind"] for d in await api.decisions("ben", copy_id)]
    assert kinds == ["closed_copy", "profit_share", "stopping", "copied", "funded"]

    # The rest went back to ben's practice account and the share to ada's.
    ada_fee = taker_fee("0.5", leader_price)
    assert await collateral(platform, api.accounts["ben"], account, api.accounts["ada"]) == [
        D(9000) + left - paid,
        D(0),
        D(10_000) - ada_fee + paid,
    ]
    leader = (await api.call("ben", "GET", "/leaders/ada")).json()
    assert (leader["copiers"], leader["allocated"], D(leader["profit_share_earned"])) == (
        0,
        "0",
        paid,
    )
    listed = (await api.call("ben", "GET", "/copies?status=closed")).json()["items"]
    assert [c["id"] for c in listed] == [copy_id]
    await reconciled(platform)
