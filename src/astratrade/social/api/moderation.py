"""Reports over HTTP, and the moderators' queue and decisions (admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from astratrade.infrastructure.web.deps import AdminUser, Bus, CurrentUser, Db
from astratrade.infrastructure.web.http import DecimalRoute
from astratrade.infrastructure.web.schemas import Cursor
from astratrade.social import views
from astratrade.social.api.schemas import (
    AdminReportOut,
    AdminReportsOut,
    Limit,
    ReportIn,
    ReportOut,
    ResolveIn,
    vars_of,
)
from astratrade.social.domain.commands import ReportContent, ResolveReport
from astratrade.social.domain.moderation import Report, ReportStatus

router = APIRouter(prefix="/api/v1", tags=["social"], route_class=DecimalRoute)
Key = Annotated[str, Path(min_length=1, max_length=64)]


@router.post("/reports", status_code=201, response_model=ReportOut)
async def report(body: ReportIn, user: CurrentUser, bus: Bus) -> ReportOut:
    """Report a post, comment or profile (by user_id) the caller can see, once: the same
    report again returns the first. Reported by 3 distinct users, it is hidden pending
    review."""
    filed: Report = await bus.execute(
        ReportContent(
            user_id=user.user_id,
            target_type=body.target_type,
            target_id=body.target_id,
            reason=body.reason,
        )
    )
    return _out(filed)


@router.get("/admin/reports", response_model=AdminReportsOut)
async def queue(
    _admin: AdminUser,
    db: Db,
    status: ReportStatus | None = ReportStatus.OPEN,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> AdminReportsOut:
    """Reports, oldest first (status open by default), each with its target's text and
    state and how many open reports it has."""
    page = await views.report_queue(db, status, cursor, limit)
    return AdminReportsOut(
        items=[AdminReportOut(**vars_of(r)) for r in page.items], next_cursor=page.next_cursor
    )


@router.post("/admin/reports/{report_id}/resolve", response_model=ReportOut)
async def resolve(report_id: Key, body: ResolveIn, admin: AdminUser, bus: Bus) -> ReportOut:
    """hide, restore, dismiss or suspend (hidden, and the owner's social presence
    suspended); every open report of the same target is resolved with it."""
    resolved: Report = await bus.execute(
        ResolveReport(admin_id=admin.user_id, report_id=report_id, action=body.action)
    )
    return _out(resolved)


def _out(report: Report) -> ReportOut:
    return ReportOut(
        report_id=report.id,
        target_type=report.target_type.value,
        target_id=report.target_id,
        reason=report.reason.value,
        status=report.status.value,
        resolution=None if report.resolution is None else report.resolution.value,
        created_at=report.created_at,
    )
