"""The reconciliation's verdict on /metrics (Prometheus): the ledger proved against trading
every `ASTRATRADE_RECONCILIATION_CHECK_SECONDS`, so a gap that lasts pages someone instead
of waiting for an operator to run `astratrade reconcile`.

Events still in flight show as a gap for a moment (the command only reads); the alert
waits for a gap that outlives several checks."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from prometheus_client import Gauge

from astratrade.financial.reconciliation import Report

logger = logging.getLogger(__name__)

DISCREPANCIES = Gauge(
    "astratrade_reconciliation_discrepancies",
    "Accounts (and the ledger total) where the ledger and trading disagreed at the last check",
)
GAP_USD = Gauge(
    "astratrade_reconciliation_gap_usd",
    "Sum of |ledger - trading| over the disagreeing accounts at the last check",
)
CHECKED = Gauge(
    "astratrade_reconciliation_checked_timestamp_seconds",
    "Unix time of the last reconciliation that ran to its end",
)


def show(report: Report) -> None:
    DISCREPANCIES.set(len(report.findings))
    # A float only here, for Prometheus, whose samples are floats.
    GAP_USD.set(float(sum(abs(f.discrepancy.gap) for f in report.findings)))
    CHECKED.set(time.time())


async def keep_checking(reconcile: Callable[[], Awaitable[Report]], seconds: float) -> None:
    """Reconcile every `seconds` until cancelled, the first once `seconds` have passed (a
    start is busy enough, and what it replays shows as gaps); a check that fails leaves the
    last verdict, and its time, which the staleness alert watches."""
    while True:
        await asyncio.sleep(seconds)
        try:
            show(await reconcile())
        except Exception:
            logger.exception("reconciliation check failed")
