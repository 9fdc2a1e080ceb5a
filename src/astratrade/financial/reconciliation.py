"""The ledger proved against trading: every account's ledger balance beside its collateral
in trading (asked through the `CollateralQuery` port: trading's tables in this process, or
the trading service), and for each gap the account's money facts the ledger has no entry
for. The comparison itself is the domain's pure `reconcile`."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.financial import views as ledger_views
from astratrade.financial.adapters.tables import entries
from astratrade.financial.domain.reconciliation import Discrepancy, reconcile
from astratrade.financial.domain.trading_facts import RULES
from astratrade.financial.ports import CollateralQuery
from astratrade.infrastructure import event_store


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


async def reconciliation(db: AsyncEngine, collateral_of: CollateralQuery) -> Report:
    async with db.connect() as conn:
        ledger = await ledger_views.ledger_balances(conn)
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
