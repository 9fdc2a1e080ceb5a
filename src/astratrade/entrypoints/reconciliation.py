"""Reconciliation across contexts: the ledger (financial) against collateral (trading).

Here, at the entrypoint, is the one place that reads both: each context answers for its own
data, and the comparison itself is financial's pure `reconcile`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.financial import views as ledger_views
from astratrade.financial.adapters.tables import entries
from astratrade.financial.domain.reconciliation import Discrepancy, reconcile
from astratrade.financial.domain.trading_facts import RULES
from astratrade.infrastructure import event_store
from astratrade.trading import views as trading_views


@dataclass(frozen=True, slots=True)
class Finding:
    discrepancy: Discrepancy
    unposted_events: list[str] = field(default_factory=list)  # the account's facts not in it


@dataclass(frozen=True, slots=True)
class Report:
    accounts: int
    findings: list[Finding]

    @property
    def proven(self) -> bool:
        return not self.findings


Collateral = Callable[[], Awaitable[dict[str, Decimal]]]


async def reconciliation(db: AsyncEngine, collateral_of: Collateral | None = None) -> Report:
    """`collateral_of`: trading's answer (the trading service's, in distributed mode);
    by default read from this database."""
    async with db.connect() as conn:
        ledger = await ledger_views.ledger_balances(conn)
    if collateral_of is None:
        collateral = await trading_views.collateral_by_account(db)
    else:
        collateral = await collateral_of()
    findings = []
    for gap in reconcile(ledger, collateral):
        findings.append(Finding(gap, await _unposted(db, gap.account)))
    return Report(len(collateral), findings)


async def _unposted(db: AsyncEngine, account: str) -> list[str]:
    """The account's money facts in the audit log that the ledger has no entry for."""
    async with db.connect() as conn:
        history = [e for e in await event_store.history(conn, account) if e.type in RULES]
        if not history:
            return []
        posted = set(
            await conn.scalars(
                select(entries.c.entry_id).where(
                    entries.c.entry_id.in_([e.event_id for e in history])
                )
            )
        )
    return [f"{e.type} {e.event_id}" for e in history if e.event_id not in posted]
