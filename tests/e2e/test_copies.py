"""Copies over HTTP against a real server (manual feed and clock), on SQLite and on
PostgreSQL, every figure worked from the specification's formulas (SPEC 4, 5, 12) here
and compared to the cent: a leader (eligible by twenty real closes) with three copiers of
different sizes opens, adds, partially closes and is liquidated; the smallest copy skips
the add below the minimum size and says why; the copy stop-loss stops the copy with the
tightest loss (status, reason, what came back, the ledger); the weekly profit share is paid
once across Monday 00:00 UTC; the ledger reconciles at the end."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

import pytest

from .conftest import (
    DATABASES,
    STARTING_BALANCE,
    Admin,
    Server,
    Trader,
    assert_error,
    create_trader,
    eventually,
    module_server,
    money,
    new_admin,
    taker_fee,
    taker_price,
)

BTC, ETH = "BTC-USD", "ETH-USD"
TICK = {BTC: Decimal("0.1"), ETH: Decimal("0.01")}
STEP = {BTC: Decimal("0.00001"), ETH: Decimal("0.0001")}
MIN_SIZE = {BTC: Decimal("0.0001"), ETH: Decimal("0.001")}
SHARE = Decimal("0.1")
LEVERAGE = "10"


@pytest.fixture(scope="module", params=DATABASES)
def server(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Any:
    yield from module_server(tmp_path_factory, request, request.param)


@dataclass
class Book:
    """An account as the specification computes it: collateral moved by fees and realized
    P&L (6 decimals, half-even), positions with their size-weighted entry."""

    collateral: Decimal
    positions: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)
    # Each fill: (market, side, size, price, fee, realized P&L).
    fills: list[tuple[str, str, Decimal, Decimal, Decimal, Decimal]] = field(default_factory=list)

    def fill(self, market: str, side: str, size: Decimal, price: Decimal) -> None:
        held, entry = self.positions.get(market, (Decimal(0), Decimal(0)))
        signed = size if side == "buy" else -size
        realized = Decimal(0)
        if held == 0 or (held > 0) == (signed > 0):  # opens or increases
            total = held + signed
            entry = (abs(held) * entry + size * price) / abs(total)
            self.positions[market] = (total, entry)
        else:  # reduces or closes (no flips here)
            assert size <= abs(held)
            direction = 1 if held > 0 else -1
            realized = money(size * (price - entry) * direction)
            self.collateral += realized
            left = held + signed
            if left == 0:
                del self.positions[market]
            else:
                self.positions[market] = (left, entry)
        fee = taker_fee(size, price)
        self.collateral -= fee
        self.fills.append((market, side, size, price, fee, realized))

    def market_order(self, market: str, side: str, size: Decimal, mark: Decimal) -> Decimal:
        price = taker_price(side, size, mark, TICK[market])
        self.fill(market, side, size, price)
        return price

    def equity(self, marks: dict[str, Decimal]) -> Decimal:
        return self.collateral + sum(
            (size * (marks[m] - entry) for m, (size, entry) in self.positions.items()), Decimal(0)
        )

    def size(self, market: str = BTC) -> Decimal:
        return self.positions.get(market, (Decimal(0), Decimal(0)))[0]


def copy_size(leader_size: Decimal, copy_equity: Decimal, leader_equity: Decimal) -> Decimal:
    """Leader fill size x copy equity / leader equity, rounded down to the step."""
    exact = leader_size * copy_equity / leader_equity
    return (exact / STEP[BTC]).to_integral_value(ROUND_FLOOR) * STEP[BTC]


def reduction(held: Decimal, leader_size: Decimal, leader_before: Decimal) -> Decimal:
    """The same fraction of the copy's position, rounded up to the step (docs/copytrading.md)."""
    exact = held * leader_size / leader_before
    return (exact / STEP[BTC]).to_integral_value(ROUND_CEILING) * STEP[BTC]


@dataclass
class Copier:
    trader: Trader
    allocation: Decimal
    copy: dict[str, Any] = field(default_factory=dict)
    book: Book = field(default_factory=lambda: Book(Decimal(0)))

    @property
    def id(self) -> str:
        return str(self.copy["id"])

    def now(self) -> dict[str, Any]:
        answer = self.trader.get(f"/copies/{self.id}")
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    def decisions(self) -> list[dict[str, Any]]:
        answer = self.trader.get(f"/copies/{self.id}/decisions", params={"limit": 100})
        assert answer.status_code == 200, answer.text
        items: list[dict[str, Any]] = answer.json()["items"]
        return items

    def decided(self, count: int) -> list[dict[str, Any]]:
        """Its decisions once there are `count` of them (copy trading follows in moments)."""
        found = eventually(self.decisions, lambda items: len(items) >= count)
        assert len(found) == count, found
        return found

    def account_once(self, until: Any) -> dict[str, Any]:
        """The copy account as trading holds it, once `until` holds."""
        now = eventually(self.now, lambda c: c["account"] is not None and until(c["account"]))
        account: dict[str, Any] = now["account"]
        return account

    def holds(self) -> None:
        """Trading's copy account equals the book: collateral and position to the cent
        (trading follows copy trading's decisions in moments)."""
        expected = (self.book.collateral, self.book.size())
        account = self.account_once(lambda a: (Decimal(a["collateral"]), held(a)) == expected)
        assert (Decimal(account["collateral"]), held(account)) == expected

    def practice_holds(self, amount: Decimal) -> None:
        """The copier's practice account holds `amount` (once trading has moved it)."""
        assert eventually(self.trader.collateral, lambda c: c == amount) == amount


def held(account: dict[str, Any], market: str = BTC) -> Decimal:
    for p in account["positions"]:
        if p["market"] == market:
            size = Decimal(p["size"])
            return size if p["side"] == "long" else -size
    return Decimal(0)


def fills(
    trader: Trader, account_id: str
) -> list[tuple[str, str, Decimal, Decimal, Decimal, Decimal]]:
    """Trading's fills of the account, each one's price, fee and realized P&L, in a fixed
    order (the manual clock stood still: they share one time)."""
    answer = trader.get("/orders", params={"account_id": account_id, "limit": 100})
    assert answer.status_code == 200, answer.text
    orders = answer.json()
    return sorted(
        (
            o["market"],
            o["side"],
            Decimal(f["size"]),
            Decimal(f["price"]),
            Decimal(f["fee"]),
            Decimal(f["realized_pnl"]),
        )
        for o in orders
        for f in o["fills"]
    )


def ledger(trader: Trader, account_id: str, newest: str) -> list[tuple[str, Decimal]]:
    """The account's postings, newest first, once the ledger's read model shows `newest`
    (it follows the copy's own state by a moment)."""

    def read() -> list[tuple[str, Decimal]]:
        answer = trader.get("/ledger", params={"account_id": account_id, "limit": 100})
        assert answer.status_code == 200, answer.text
        return [(p["kind"], Decimal(p["amount"])) for p in answer.json()["postings"]]

    return eventually(read, lambda postings: bool(postings) and postings[0][0] == newest)


def test_a_leader_and_three_copiers_to_the_cent(server: Server) -> None:
    admin = Admin(server, new_admin(server), "")
    marks = {BTC: Decimal(60000), ETH: Decimal(3000)}

    def mark(market: str, price: str) -> None:
        marks[market] = Decimal(price)
        admin.set_price(market, price)

    for market, price in marks.items():
        admin.set_price(market, price)

    # lea: twenty closes of 0.1 ETH in a day (level 3), then she leads at 10 %.
    lea = create_trader(server, "lea")
    leader = Book(STARTING_BALANCE)
    for n in range(20):
        mark(ETH, "3000")
        lea.market("buy", "0.1", market=ETH)
        leader.market_order(ETH, "buy", Decimal("0.1"), marks[ETH])
        mark(ETH, "3030" if n % 2 == 0 else "2970")
        lea.market("sell", "0.1", market=ETH)
        leader.market_order(ETH, "sell", Decimal("0.1"), marks[ETH])
    mark(ETH, "3000")
    assert lea.collateral() == leader.collateral
    led = eventually(
        lambda: lea.post("/leaders/me", json={"profit_share": str(SHARE)}),
        lambda r: r.status_code == 200,
    )
    assert led.status_code == 200, led.text
    for market in (BTC, ETH):
        body = {"market": market, "leverage": LEVERAGE}
        assert lea.put(f"/accounts/{lea.account_id}/leverage", json=body).status_code == 200
    # 20 ETH before anyone copies her: never copied.
    lea.market("buy", "20", market=ETH)
    leader.market_order(ETH, "buy", Decimal(20), marks[ETH])

    # Three copiers on Pro: 3,000, 1,000 with a 10 % stop-loss, and 100.
    copiers = {
        "big": Copier(create_trader(server, "big"), Decimal(3000)),
        "tight": Copier(create_trader(server, "tight"), Decimal(1000)),
        "small": Copier(create_trader(server, "small"), Decimal(100)),
    }
    for name, c in copiers.items():
        assert c.trader.put("/subscription", json={"plan": "pro"}).status_code == 200
        body = {"leader": lea.username, "allocation": str(c.allocation)}
        if name == "tight":
            body["max_loss"] = "0.1"
        opened = eventually(
            lambda body=body, c=c: c.trader.post("/copies", json=body),
            lambda r: r.status_code == 201,
        )
        assert opened.status_code == 201, opened.text
        c.copy = opened.json()
        c.book = Book(c.allocation)
        assert eventually(c.now, lambda copy: copy["funded"])["funded"] is True
        c.holds()
        c.practice_holds(STARTING_BALANCE - c.allocation)
    tight, big, small = copiers["tight"], copiers["big"], copiers["small"]
    assert Decimal(tight.copy["stop_equity"]) == Decimal(900)

    def leader_fills(side: str, size: str) -> tuple[Decimal, Decimal, Decimal]:
        """lea's market order: (the leader's position before it, its price, her equity
        right after it at the marks)."""
        before = leader.size()
        lea.market(side, size)
        price = leader.market_order(BTC, side, Decimal(size), marks[BTC])
        return before, price, leader.equity(marks)

    # 1. lea opens 0.5 BTC: each copy buys in proportion to its equity.
    equities = {name: c.book.equity(marks) for name, c in copiers.items()}
    _, price, leader_equity = leader_fills("buy", "0.5")
    for name, c in copiers.items():
        size = copy_size(Decimal("0.5"), equities[name], leader_equity)
        [copied, _funded] = c.decided(2)
        assert (copied["kind"], copied["action"], copied["side"]) == ("copied", "open", "buy")
        assert (Decimal(copied["size"]), copied["leverage"]) == (size, LEVERAGE)
        assert Decimal(copied["leader_fill"]["price"]) == price
        c.book.market_order(BTC, "buy", size, marks[BTC])
        c.holds()
    assert (big.book.size(), tight.book.size(), small.book.size()) == (
        Decimal("0.15060"),
        Decimal("0.05020"),
        Decimal("0.00502"),
    ), (big.book.size(), tight.book.size(), small.book.size())

    # 2. lea adds 0.005: the two larger copies increase; the smallest would buy
    # 0.005 x ~100 / ~9,950 = 0.00005, below the minimum 0.0001, and skips.
    equities = {name: c.book.equity(marks) for name, c in copiers.items()}
    _, price, leader_equity = leader_fills("buy", "0.005")
    for name in ("big", "tight"):
        c = copiers[name]
        size = copy_size(Decimal("0.005"), equities[name], leader_equity)
        increase = c.decided(3)[0]
        assert (increase["action"], Decimal(increase["size"])) == ("increase", size)
        c.book.market_order(BTC, "buy", size, marks[BTC])
        c.holds()
    skipped = small.decided(3)[0]
    assert (skipped["kind"], skipped["reason"]) == ("skipped", "below_min_size")
    assert copy_size(Decimal("0.005"), equities["small"], leader_equity) < MIN_SIZE[BTC]
    assert "below the minimum 0.0001" in skipped["detail"]
    small.holds()

    # 3. BTC falls to 58,000: the 10 % copy reaches its floor of 900 and stops; trading
    # sells its position at market and the rest goes back to the practice account.
    assert tight.book.equity({**marks, BTC: Decimal(58000)}) <= 900
    assert big.book.equity({**marks, BTC: Decimal(58000)}) > 1500
    mark(BTC, "58000")
    stopped = eventually(tight.now, lambda c: c["status"] == "closed")
    tight.book.market_order(BTC, "sell", tight.book.size(), marks[BTC])
    assert (stopped["stop_reason"], Decimal(stopped["returned"])) == (
        "stop_loss",
        tight.book.collateral,
    )
    assert stopped["profit_share_paid"] == "0"
    assert [(d["kind"], d["reason"]) for d in tight.decisions()[:2]] == [
        ("closed_copy", "stop_loss"),
        ("stopping", "stop_loss"),
    ]
    tight.practice_holds(STARTING_BALANCE - tight.allocation + tight.book.collateral)
    copy_ledger = ledger(tight.trader, tight.copy["copy_account_id"], "copy_return")
    assert (copy_ledger[0], copy_ledger[-1]) == (
        ("copy_return", -tight.book.collateral),
        ("copy_allocation", tight.allocation),
    )
    assert sum(amount for _, amount in copy_ledger) == 0  # the copy account holds nothing
    assert ledger(tight.trader, tight.trader.account_id, "copy_return")[:2] == [
        ("copy_return", tight.book.collateral),
        ("copy_allocation", -tight.allocation),
    ]

    # 4. BTC at 64,000, lea sells 0.2 of her 0.505: each copy sells the same fraction of
    # its position, rounded up to the step; the stopped copy does nothing.
    mark(BTC, "64000")
    before, price, leader_equity = leader_fills("sell", "0.2")
    for c in (big, small):
        size = reduction(c.book.size(), Decimal("0.2"), before)
        reduce = c.decided(4)[0]
        assert (reduce["kind"], reduce["action"], reduce["side"]) == ("copied", "reduce", "sell")
        assert Decimal(reduce["size"]) == size
        c.book.market_order(BTC, "sell", size, marks[BTC])
        c.holds()
    assert len(tight.decisions()) == 5

    # 5. ETH falls to 2,300: lea's account is liquidated, ETH first (the larger loss), then
    # BTC; each copy closes its whole BTC position at market and has no ETH to close.
    mark(ETH, "2300")
    for c in (big, small):
        latest = c.decided(6)[:2]
        assert [(d["kind"], d["market"], d["reason"]) for d in latest] == [
            ("closed", BTC, "leader_liquidated"),
            ("skipped", ETH, "no_copy_position"),
        ]
        assert Decimal(latest[0]["size"]) == c.book.size()
        c.book.market_order(BTC, "sell", c.book.size(), marks[BTC])
        c.holds()
    assert eventually(lea.collateral, lambda c: c == 0) == 0  # the insurance fund covered her

    # Every fill of every copy account, its price, fee and realized P&L, as worked here.
    for c in copiers.values():
        assert fills(c.trader, c.copy["copy_account_id"]) == sorted(c.book.fills)
    # Each of copy trading's order decisions is one order at trading, its id the client id.
    for c in (big, small):
        orders = c.trader.get("/orders", params={"account_id": c.copy["copy_account_id"]}).json()
        decided = [d["id"] for d in c.decisions() if d["kind"] in ("copied", "closed")]
        assert sorted(o["client_order_id"] for o in orders) == sorted(decided)

    # 6. Monday 00:00 UTC: each copy's realized profit pays its share to lea, once.
    now = datetime.fromisoformat(admin.clock(advance_seconds=0))
    monday = (now + timedelta(days=7 - now.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    admin.clock(now=(monday - timedelta(seconds=1)).isoformat())
    for user in (admin, lea, big.trader, small.trader):
        user.login()
    assert [d for d in big.decisions() if d["kind"] == "profit_share"] == []
    admin.clock(now=monday.isoformat())
    closed_week = (monday - timedelta(days=1)).isocalendar()
    week = f"{closed_week.year}-W{closed_week.week:02d}"  # the ISO week just closed
    shares = {}
    for c in (big, small):
        net = c.book.collateral - c.allocation
        assert net > 0
        shares[c.trader.username] = money(net * SHARE)
        paid = eventually(c.decisions, lambda items: items[0]["kind"] == "profit_share")[0]
        assert (Decimal(paid["size"]), paid["reason"]) == (shares[c.trader.username], week)
        c.book.collateral -= shares[c.trader.username]
        c.holds()
    total = sum(shares.values(), Decimal(0))
    assert eventually(lea.collateral, lambda c: c == total) == total
    admin.clock(advance_seconds=86_400)  # a day on: the week is settled already
    for user in (admin, lea, big.trader, small.trader):
        user.login()

    # 7. Both stop: nothing more to share, the rest back to their practice accounts.
    for c in (big, small):
        stopping = c.trader.delete(f"/copies/{c.id}")
        assert (stopping.status_code, stopping.json()["status"]) == (202, "stopping")
        assert_error(c.trader.delete(f"/copies/{c.id}"), 409)
        closed = eventually(c.now, lambda copy: copy["status"] == "closed")
        assert (closed["stop_reason"], Decimal(closed["returned"])) == (
            "by_copier",
            c.book.collateral,
        )
        assert Decimal(closed["profit_share_paid"]) == shares[c.trader.username]
        assert [d["kind"] for d in c.decisions()].count("profit_share") == 1
        c.practice_holds(STARTING_BALANCE - c.allocation + c.book.collateral)
    shown = lea.get(f"/leaders/{lea.username}").json()
    assert (shown["copiers"], shown["allocated"], Decimal(shown["profit_share_earned"])) == (
        0,
        "0",
        total,
    )
    assert eventually(lea.collateral, lambda c: c == total) == total

    proof = admin.get("/admin/reconciliation").json()
    assert (proof["proven"], proof["discrepancies"]) == (True, [])
    done = server.cli("reconcile")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "proven" in done.stdout
