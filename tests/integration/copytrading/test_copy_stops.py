"""How copies end, on a whole platform (SQLite and PostgreSQL) with the platform's own
trading: the leader stopping and a block (the copies flattened and their allocations back);
the copy stop-loss reached by moving the mark (trading closes the copy out at market, the
copy stops, the rest goes back, to the cent), and reached by the copy account's own
liquidation where maintenance comes before the floor; and the weekly profit share on a
realized profit, settled once across a restart and credited to the leader."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from copy_figures import LIQUIDATION_FEE, cents, copy_size, fill_price, share, taker_fee
from copying_support import Api, collateral, events_of, reconciled

from astratrade.copytrading.domain.commands import StopLeading
from astratrade.social.domain.commands import BlockUser

D = Decimal
START = datetime(2026, 3, 2, 9, 0, 30, tzinfo=UTC)  # the integration platform's clock


async def copying(api: Api, *copiers: str, max_loss: str = "0.5") -> dict[str, dict[str, Any]]:
    """`ada` leads (10 %); each copier, on Pro, copies her with 1,000."""
    await api.sign_up("ada", *copiers)
    await api.lead("ada")
    await api.mark("BTC-USD", "60000")
    copies = {}
    for name in copiers:
        await api.subscribe(name)
        body = {"leader": "ada", "allocation": "1000", "max_loss": max_loss}
        answer = await api.call(name, "POST", "/copies", json=body)
        assert answer.status_code == 201, answer.text
        copies[name] = answer.json()
    return copies


async def test_the_leader_stopping_or_a_block_stops_their_copies(api: Api) -> None:
    copies = await copying(api, "ben", "cat", "dan")
    platform = api.platform
    await platform.bus.execute(BlockUser(user_id=api.ids["ada"], username="cat"))
    await platform.backbone.drain()
    cat = await api.copy("cat", copies["cat"]["id"])
    assert (cat["status"], cat["stop_reason"], cat["returned"]) == ("closed", "blocked", "1000")
    await platform.bus.execute(StopLeading(user_id=api.ids["ada"]))
    await platform.backbone.drain()
    for name in ("ben", "dan"):
        now = await api.copy(name, copies[name]["id"])
        assert (now["status"], now["stop_reason"], now["returned"]) == (
            "closed",
            "leader_stopped",
            "1000",
        )
    funds = await collateral(platform, *(api.accounts[n] for n in ("ben", "cat", "dan")))
    assert funds == [D(10_000)] * 3
    await api.trade("ada", "0.01", "buy")  # no longer leading: her fills are not published
    assert await events_of(platform, api.accounts["ada"], "LeaderFilled") == []
    await reconciled(platform)


async def test_the_copy_stop_loss_stops_a_copy_at_its_floor(api: Api) -> None:
    copies = await copying(api, "ben")
    ben = copies["ben"]
    platform = api.platform
    # ada buys 0.8 BTC (5x): the copy 0.8 x 1,000 / her equity right after, at 5x.
    await api.trade("ada", "0.8", "buy")
    leader_price = fill_price("BTC-USD", "buy", "0.8", "60000")
    leader_equity = D(10_000) - taker_fee("0.8", leader_price) + D("0.8") * (60000 - leader_price)
    size = copy_size("BTC-USD", "0.8", D(1000), leader_equity)
    entry = fill_price("BTC-USD", "buy", size, "60000")
    assert (leader_price, size, entry) == (D("60008.9"), D("0.08015"), D("60006.3"))
    held = (await api.copy("ben", ben["id"]))["account"]
    assert D(held["collateral"]) == D(1000) - taker_fee(size, entry)

    def equity_at(mark: int) -> Decimal:
        return D(1000) - taker_fee(size, entry) + size * (mark - entry)

    # The floor is 500: at 54,000 the copy holds 517.39; at 53,700, 493.35 and it stops.
    await api.mark("BTC-USD", "54000")
    assert equity_at(54000) > 500
    assert (await api.copy("ben", ben["id"]))["status"] == "active"
    await api.mark("BTC-USD", "53700")
    assert equity_at(53700) <= 500
    exit_ = fill_price("BTC-USD", "sell", size, "53700")
    left = D(1000) - taker_fee(size, entry) + size * (exit_ - entry) - taker_fee(size, exit_)
    closed = await api.copy("ben", ben["id"])
    assert (closed["status"], closed["stop_reason"], D(closed["returned"])) == (
        "closed",
        "stop_loss",
        left,
    )
    assert left == D("491.814924")
    assert closed["profit_share_paid"] == "0"  # a loss: nothing to share
    (reached,) = await events_of(platform, ben["copy_account_id"], "CopyStopLossReached")
    assert D(reached.payload["equity"]) == equity_at(53700)
    stopping = [d for d in await api.decisions("ben", ben["id"]) if d["kind"] == "stopping"]
    assert [d["reason"] for d in stopping] == ["stop_loss"]
    assert await collateral(platform, api.accounts["ben"], ben["copy_account_id"]) == [
        D(9000) + left,
        D(0),
    ]

    leader = (await api.call("ben", "GET", "/leaders/ada")).json()
    assert (leader["copiers"], leader["allocated"]) == (0, "0")
    await reconciled(platform)


async def test_a_liquidation_leaving_a_copy_below_its_floor_stops_it(api: Api) -> None:
    """STRK-USD's first tier asks 2.5 % of notional as maintenance: a copy at 10x with a
    floor of 20 % (max loss 0.8) is liquidated above its floor, and the liquidation fee
    takes it below; the copy stops there (stop_loss) and what is left goes back."""
    await api.sign_up("ada", "ben")
    await api.lead("ada")
    await api.subscribe("ben")
    platform = api.platform
    await api.mark("ETH-USD", "3000")
    await api.mark("STRK-USD", "0.5")
    # ada loses about 5,500 on ETH first, so 10x of her equity stays in STRK's first tier.
    leader = D(10_000)
    for side, mark in (("buy", "3000"), ("sell", "2450")):
        await api.mark("ETH-USD", mark)
        await api.trade("ada", "10", side, "ETH-USD")
        price = fill_price("ETH-USD", side, "10", mark)
        leader -= taker_fee("10", price)
        leader += D(10) * price * (-1 if side == "buy" else 1)
    assert await collateral(platform, api.accounts["ada"]) == [leader]
    body = {"market": "STRK-USD", "leverage": "10"}
    answer = await api.call("ada", "PUT", f"/accounts/{api.accounts['ada']}/leverage", json=body)
    assert answer.status_code == 200, answer.text
    body = {"leader": "ada", "allocation": "1000", "max_loss": "0.8"}
    copy = (await api.call("ben", "POST", "/copies", json=body)).json()
    assert copy["stop_equity"] == "200"

    await api.trade("ada", "85000", "buy", "STRK-USD")
    price = fill_price("STRK-USD", "buy", "85000", "0.5")
    leader_equity = leader - taker_fee("85000", price) + 85000 * (D("0.5") - price)
    size = copy_size("STRK-USD", "85000", D(1000), leader_equity)
    entry = fill_price("STRK-USD", "buy", size, "0.5")
    assert (size, entry) == (D(19049), D("0.50006"))

    def equity_at(mark: str) -> Decimal:
        return D(1000) - taker_fee(size, entry) + size * (D(mark) - entry)

    def maintenance_at(mark: str) -> Decimal:
        return size * D(mark) * D("0.5") / 20

    # At 0.4592 the copy holds 219.276449: above its maintenance and its floor.
    await api.mark("STRK-USD", "0.4592")
    assert equity_at("0.4592") == D("219.276449") > maintenance_at("0.4592") > 200
    assert (await api.copy("ben", copy["id"]))["status"] == "active"
    # At 0.45915, at maintenance (218.65...) though above the floor: liquidated at the mark,
    # 1 % of the notional as its fee, the rest below the floor; ada is not liquidated yet.
    await api.mark("STRK-USD", "0.45915")
    equity = equity_at("0.45915")
    assert 200 < equity <= maintenance_at("0.45915")
    left = equity - cents(LIQUIDATION_FEE * size * D("0.45915"))
    assert left == D("130.860515")
    assert await events_of(platform, api.accounts["ada"], "AccountLiquidated") == []
    stopped = await api.copy("ben", copy["id"])
    assert (stopped["status"], stopped["stop_reason"], D(stopped["returned"])) == (
        "closed",
        "stop_loss",
        left,
    )
    (reached,) = await events_of(platform, copy["copy_account_id"], "CopyStopLossReached")
    assert D(reached.payload["equity"]) == left
    assert await collateral(platform, api.accounts["ben"], copy["copy_account_id"]) == [
        D(9000) + left,
        D(0),
    ]
    await reconciled(platform)


async def test_the_weekly_share_is_settled_once_a_week_across_a_restart(
    api: Api, make_platform: Any
) -> None:
    copies = await copying(api, "ben")
    ben = copies["ben"]
    platform = api.platform
    leader = (await api.call("ben", "GET", "/leaders/ada")).json()
    assert (leader["copiers"], leader["allocated"]) == (1, "1000")

    # ada buys 0.5 BTC at 60,000 and sells it at 63,000: the copy does the same.
    await api.trade("ada", "0.5", "buy")
    leader_price = fill_price("BTC-USD", "buy", "0.5", "60000")
    leader_equity = D(10_000) - taker_fee("0.5", leader_price) + D("0.5") * (60000 - leader_price)
    size = copy_size("BTC-USD", "0.5", D(1000), leader_equity)
    await api.mark("BTC-USD", "63000")
    await api.trade("ada", "0.5", "sell")
    entry, exit_ = (
        fill_price("BTC-USD", "buy", size, "60000"),
        fill_price("BTC-USD", "sell", size, "63000"),
    )
    held = D(1000) - taker_fee(size, entry) + size * (exit_ - entry) - taker_fee(size, exit_)
    assert await collateral(platform, ben["copy_account_id"]) == [held]
    weekly = share("0.1", held - 1000)
    assert weekly == D("14.797533")

    monday = START - timedelta(days=START.weekday()) + timedelta(weeks=1)
    monday = monday.replace(hour=0, minute=0, second=0)
    platform.clock.set(monday - timedelta(seconds=1))  # type: ignore[attr-defined]
    await platform.on_time()
    await platform.backbone.drain()
    assert await shares(api, ben) == []
    platform.clock.set(monday)  # type: ignore[attr-defined]
    await platform.on_time()
    await platform.on_time()
    await platform.backbone.drain()
    assert await shares(api, ben) == [(weekly, "2026-W10")]

    again = make_platform()  # a restart, the same week: nothing more
    await again.start()
    try:
        await again.on_time()
        await again.backbone.drain()
    finally:
        await again.stop()
    await platform.on_time()
    await platform.backbone.drain()
    assert await shares(api, ben) == [(weekly, "2026-W10")]
    ada_fees = taker_fee("0.5", leader_price) + taker_fee(
        "0.5", fill_price("BTC-USD", "sell", "0.5", "63000")
    )
    ada_pnl = D("0.5") * (fill_price("BTC-USD", "sell", "0.5", "63000") - leader_price)
    assert await collateral(platform, ben["copy_account_id"], api.accounts["ada"]) == [
        held - weekly,
        D(10_000) - ada_fees + ada_pnl + weekly,
    ]
    await api.login("ben")  # a week on, the access token has expired
    settled = await api.copy("ben", ben["id"])
    assert (D(settled["high_water_mark"]), D(settled["profit_share_paid"])) == (
        held - 1000,
        weekly,
    )
    earned = (await api.call("ben", "GET", "/leaders/ada")).json()["profit_share_earned"]
    assert D(earned) == weekly
    await reconciled(platform)


async def shares(api: Api, copy: dict[str, Any]) -> list[tuple[Decimal | None, str | None]]:
    """Read beside the API: a week on, the copier's access token has expired."""
    from astratrade.copytrading.views import copies as views

    page = await views.decisions_of(api.platform.read_db, api.ids["ben"], copy["id"], None, 50)
    return [(d.size, d.reason) for d in page.items if d.kind == "profit_share"]
