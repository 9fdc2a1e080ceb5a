"""Platform-wide admin routes: the audit trail of any aggregate."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from astratrade.infrastructure import event_store
from astratrade.infrastructure.web.deps import AdminUser, Db
from astratrade.infrastructure.web.http import DecimalRoute
from astratrade.infrastructure.web.schemas import DecimalOut
from astratrade.shared.errors import NotFound

router = APIRouter(prefix="/api/v1/admin", tags=["admin"], route_class=DecimalRoute)


class AuditEvent(BaseModel):
    event_id: str
    type: str
    version: int
    context: str
    aggregate_id: str
    aggregate_version: int
    occurred_at: datetime
    correlation_id: str | None
    causation_id: str | None
    payload: dict[str, Any]


class GapOut(BaseModel):
    account: str
    ledger: DecimalOut
    trading: DecimalOut | None
    gap: DecimalOut
    unposted_events: list[str]


class ReconciliationOut(BaseModel):
    proven: bool
    accounts: int
    discrepancies: list[GapOut]


@router.get("/reconciliation", response_model=ReconciliationOut)
async def reconciliation(_admin: AdminUser, request: Request) -> ReconciliationOut:
    """Prove the ledger: it sums to zero and each account's ledger balance equals its
    collateral in trading. Events on their way are delivered first."""
    await request.app.state.platform.backbone.drain()
    report = await request.app.state.reconcile()  # financial's module
    return ReconciliationOut(
        proven=report.proven,
        accounts=report.accounts,
        discrepancies=[
            GapOut(
                account=f.discrepancy.account,
                ledger=f.discrepancy.ledger,
                trading=f.discrepancy.trading,
                gap=f.discrepancy.gap,
                unposted_events=f.unposted_events,
            )
            for f in report.findings
        ],
    )


@router.get("/audit", response_model=list[AuditEvent])
async def audit(
    _admin: AdminUser,
    db: Db,
    aggregate_id: Annotated[str, Query(min_length=1, max_length=64)],
) -> list[AuditEvent]:
    """Every event of an aggregate, oldest first, exactly as the append-only log holds it."""
    async with db.connect() as conn:
        history = await event_store.history(conn, aggregate_id)
    if not history:
        raise NotFound(f"no events for aggregate {aggregate_id}")
    return [AuditEvent.model_validate(e, from_attributes=True) for e in history]
