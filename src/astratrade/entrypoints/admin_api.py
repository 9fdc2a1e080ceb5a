"""Platform-wide admin routes: the audit trail of any aggregate."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from astratrade.entrypoints.deps import AdminUser, Db
from astratrade.infrastructure import event_store
from astratrade.shared.errors import NotFound

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])


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
