"""Social from other contexts' events: trade shares built on the server from trading's
fills and closes (market, side, entry, exit, ROI, hold time; never a size or a dollar),
anyone else's position not found; automatic items from gamification's events, each kind
respecting its opt-out, never for trade counts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from http_support import Api, error_of
from trading_platform import market_order, set_mark

from astratrade.platform import Platform
from astratrade.shared.messages import Envelope
from astratrade.social.adapters.repository import SqlSocialUnitOfWork
from astratrade.social.handlers import automatic
from astratrade.trading.domain.orders import Side

SHARE_FIELDS = {
    "position_id",
    "market",
    "side",
    "entry_price",
    "exit_price",
    "roi_pct",
    "hold_seconds",
}


async def trade(
    api: Api, name: str, fills: list[tuple[Side, str, str]], market: str = "ETH-USD"
) -> None:
    """Market orders of the trader's practice account: (side, size, mark before it)."""
    platform = api.platform
    owner = api.ids[name]
    accounts = (await api.call(name, "GET", "/accounts")).json()
    account = next(a["account_id"] for a in accounts if a["kind"] == "practice")
    for side, size, mark in fills:
        await set_mark(platform, market, mark)
        platform.clock.advance(60)  # type: ignore[attr-defined]
        await platform.bus.execute(market_order(owner, account, size, side, market))
    await platform.backbone.drain()


async def shares(api: Api, name: str) -> list[dict]:
    answer = await api.call(name, "GET", "/profiles/me/closed-positions")
    assert answer.status_code == 200, answer.text
    return [item["trade_share"] for item in answer.json()["items"]]


async def test_a_closed_position_is_shared_with_its_facts_and_nothing_in_dollars(api: Api) -> None:
    await api.sign_up("ann", "bob")
    await trade(api, "ann", [(Side.BUY, "1", "3000"), (Side.SELL, "1", "3030")])

    [share] = await shares(api, "ann")
    assert set(share) == SHARE_FIELDS
    assert (share["market"], share["side"], share["hold_seconds"]) == ("ETH-USD", "long", 60)
    entry, exit_price = Decimal(share["entry_price"]), Decimal(share["exit_price"])
    assert Decimal(3000) < entry < Decimal("3000.5")  # the fill, slippage against the trader
    assert Decimal("3029.5") < exit_price < Decimal(3030)
    expected = ((exit_price - entry) / entry * 100).quantize(Decimal("0.01"))
    assert Decimal(share["roi_pct"]) == expected

    posted = await api.call(
        "ann",
        "POST",
        "/posts",
        json={"text": "", "trade_share": {"position_id": share["position_id"]}},
    )
    assert posted.status_code == 201, posted.text
    assert posted.json()["trade_share"] == share
    for dollars in ("size", "pnl", "realized_pnl", "collateral", "equity", "notional"):
        assert dollars not in posted.text

    stolen = await api.call(
        "bob",
        "POST",
        "/posts",
        json={"text": "mine!", "trade_share": {"position_id": share["position_id"]}},
    )
    assert error_of(stolen, 404)["field"] == "trade_share.position_id"
    assert (await api.call("bob", "GET", "/profiles/bob/posts")).json()["items"] == []


async def test_a_short_closed_in_parts_averages_its_exit(api: Api) -> None:
    await api.sign_up("ann")
    await trade(
        api,
        "ann",
        [(Side.SELL, "2", "3000"), (Side.BUY, "1", "2900"), (Side.BUY, "1", "2800")],
    )
    [share] = await shares(api, "ann")
    assert share["side"] == "short"
    assert Decimal(2800) < Decimal(share["exit_price"]) < Decimal(2900)  # between the two
    assert Decimal(share["roi_pct"]) > Decimal(3)
    assert share["hold_seconds"] == 120


async def test_a_flip_shares_the_side_it_closed(api: Api) -> None:
    await api.sign_up("ann")
    await trade(
        api, "ann", [(Side.BUY, "1", "3000"), (Side.SELL, "3", "2970"), (Side.BUY, "2", "2940")]
    )
    closed = await shares(api, "ann")
    assert [s["side"] for s in closed] == ["short", "long"]  # newest first
    assert Decimal(closed[0]["entry_price"]) < Decimal(2970)  # the short opened at the flip
    assert Decimal(closed[1]["roi_pct"]) < 0


async def test_progression_posts_a_level_item_but_never_a_trade_count(api: Api) -> None:
    await api.sign_up("ann", "bob")
    await api.call("bob", "POST", "/profiles/ann/follow")
    await trade(api, "ann", [(Side.BUY, "1", "3000"), (Side.SELL, "1", "3010")])

    # 10 XP for the close and 100 for FIRST_TRADE: level 2; FIRST_TRADE only counts trades.
    feed = (await api.call("bob", "GET", "/feed")).json()["items"]
    assert [(p["kind"], p["text"], p["details"]) for p in feed] == [
        ("level", "Reached level 2", {"level": 2})
    ]
    profile = (await api.call("bob", "GET", "/profiles/ann")).json()
    assert (profile["level"], profile["xp_rank"], profile["achievements"]) == (
        2,
        1,
        ["FIRST_TRADE"],
    )
    item = feed[0]["post_id"]
    assert error_of(await api.call("ann", "PATCH", f"/posts/{item}", json={"text": "x"}), 409)


async def test_each_automatic_item_respects_its_opt_out(api: Api, platform: Platform) -> None:
    await api.sign_up("ann", "bob")
    await api.call("ann", "PUT", "/profiles/me", json={"automatic_items": {"achievement": False}})
    ann, bob = api.ids["ann"], api.ids["bob"]
    at = platform.clock.now()

    async def deliver(kind: str, **payload: object) -> None:
        envelope = Envelope(
            event_id=f"event-{kind}-{len(payload)}",
            type=kind,
            version=1,
            context="gamification",
            aggregate_id="gamification",
            aggregate_version=1,
            occurred_at=at,
            payload=payload,
        )
        uow = SqlSocialUnitOfWork(platform.db, platform.infra.publisher, platform.clock)
        await automatic.post_items(envelope, uow, at)
        again = SqlSocialUnitOfWork(platform.db, platform.infra.publisher, platform.clock)
        await automatic.post_items(envelope, again, at)  # delivered twice: posted once

    await deliver("AchievementUnlocked", user_id=ann, achievement="WEEK_WARRIOR", xp=300)
    await deliver("AchievementUnlocked", user_id=bob, achievement="WEEK_WARRIOR", xp=300)
    await deliver("TournamentFinished", tournament_id="t-1", podium=[bob, ann], ranked=5)
    platform.clock.advance(timedelta(minutes=1).total_seconds())  # type: ignore[attr-defined]

    def texts(items: list[dict]) -> list[str]:
        return sorted(p["text"] for p in items)

    ann_items = (await api.call("ann", "GET", "/profiles/ann/posts")).json()["items"]
    bob_items = (await api.call("bob", "GET", "/profiles/bob/posts")).json()["items"]
    assert texts(ann_items) == ["Finished 2nd in a tournament"]
    assert texts(bob_items) == [
        "Finished 1st in a tournament",
        "Unlocked the Week Warrior achievement",
    ]
