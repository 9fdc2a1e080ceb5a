"""The metrics the alerts and dashboards of deploy/monitoring read, as the code sets them:
committed events by type, WebSocket disconnects, when a market's price last moved, the
reconciliation's verdict, and where `up --distributed` says each process serves them."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from decimal import Decimal

from prometheus_client import REGISTRY

from astratrade.entrypoints.realtime.hub import Connection, Hub
from astratrade.entrypoints.supervisor import metrics_urls, plan
from astratrade.financial import reconciliation_gauges
from astratrade.financial.domain.reconciliation import Discrepancy
from astratrade.financial.reconciliation import Finding, Report
from astratrade.infrastructure.metrics import count_committed
from astratrade.shared.messages import Envelope
from astratrade.trading.adapters.price_metrics import quotes_applied
from astratrade.trading.domain.prices import Quote

AT = datetime(2026, 1, 1, tzinfo=UTC)


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def envelope(kind: str, context: str = "trading") -> Envelope:
    return Envelope(
        event_id="e",
        type=kind,
        version=1,
        context=context,
        aggregate_id="a",
        aggregate_version=1,
        occurred_at=AT,
        payload={},
    )


def test_committed_events_are_counted_by_context_and_type() -> None:
    name = "astratrade_events_committed_total"
    before = sample(name, context="trading", type="OrderFilled")
    xp_before = sample(name, context="gamification", type="XpAwarded")
    count_committed([envelope("OrderFilled"), envelope("OrderFilled")])
    count_committed([envelope("XpAwarded", "gamification")])
    assert sample(name, context="trading", type="OrderFilled") == before + 2
    assert sample(name, context="gamification", type="XpAwarded") == xp_before + 1


async def test_every_connection_that_leaves_the_hub_is_one_disconnect() -> None:
    async def send(_text: str) -> None:
        return None

    hub = Hub()
    first, second = Connection(send, "u"), Connection(send, "v")
    hub.join(first)
    hub.join(second)
    before = sample("astratrade_ws_disconnects_total")
    hub.leave(first)
    hub.leave(first)  # already gone: not counted twice
    hub.leave(second)
    assert sample("astratrade_ws_disconnects_total") == before + 2
    await asyncio.sleep(0)


def test_a_price_applied_stamps_its_market_with_the_wall_clock() -> None:
    quote = Quote("MON-USD", Decimal("10"), Decimal("10"), AT)  # the quote's own time: any
    started = time.time()
    quotes_applied([quote])
    stamped = sample("astratrade_price_applied_timestamp_seconds", market="MON-USD")
    assert started <= stamped <= time.time()


def test_the_reconciliation_verdict_shows_its_gaps_and_when_it_ran() -> None:
    gaps = [
        Finding(Discrepancy("a", Decimal("10.5"), Decimal("10"))),
        Finding(Discrepancy("b", Decimal("0"), Decimal("2"))),
    ]
    reconciliation_gauges.show(Report(accounts=5, findings=gaps))
    assert sample("astratrade_reconciliation_discrepancies") == 2
    assert sample("astratrade_reconciliation_gap_usd") == 2.5
    reconciliation_gauges.show(Report(accounts=5, findings=[]))
    assert sample("astratrade_reconciliation_discrepancies") == 0
    assert sample("astratrade_reconciliation_gap_usd") == 0
    assert time.time() - sample("astratrade_reconciliation_checked_timestamp_seconds") < 5


async def test_the_check_runs_every_period_and_outlives_a_failure() -> None:
    calls = 0
    third = asyncio.Event()

    async def reconcile() -> Report:
        nonlocal calls
        calls += 1
        if calls == 3:
            third.set()
        if calls == 1:
            raise RuntimeError("trading unreachable")
        return Report(accounts=1, findings=[Finding(Discrepancy("c", Decimal(1), None))])

    checking = asyncio.create_task(reconciliation_gauges.keep_checking(reconcile, 0.01))
    async with asyncio.timeout(5):
        await third.wait()
    checking.cancel()
    assert sample("astratrade_reconciliation_discrepancies") == 1


def test_up_says_where_each_process_serves_its_metrics() -> None:
    children, _shared = plan(8000, trading_replicas=2, realtime_replicas=1)
    urls = dict(item.split("=", 1) for item in metrics_urls(children).split(","))
    assert list(urls) == [child.name for child in children]
    relay = next(c for c in children if c.name == "relay")
    health = relay.args[relay.args.index("--health-port") + 1]
    assert urls["relay"] == f"http://127.0.0.1:{health}/metrics"  # the worker's probe
    assert urls["gateway"] == "http://127.0.0.1:8000/metrics"
    trading = next(c for c in children if c.name == "trading-2")
    assert urls["trading-2"] == f"http://127.0.0.1:{trading.args[-1]}/metrics"
