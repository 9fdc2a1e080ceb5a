"""The moderators' queue: reports, oldest first, each with what it is about."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from astratrade.social.adapters.tables import comments, posts, profiles, reports
from astratrade.social.domain.moderation import ReportStatus
from astratrade.social.domain.rules import TargetType
from astratrade.social.views.common import Page, after, page


@dataclass(frozen=True, slots=True)
class ReportView:
    report_id: str
    reporter: str  # username
    target_type: str
    target_id: str
    owner: str  # username of whoever wrote the content or owns the profile
    reason: str
    created_at: datetime
    status: str
    resolution: str | None
    resolved_at: datetime | None
    target_state: str  # the target's moderation now: visible, pending or hidden
    target_text: str  # the post's or comment's text, the profile's display name and bio
    open_reports: int  # distinct users with an open report on the same target


async def report_queue(
    db: AsyncEngine, status: ReportStatus | None, cursor: str | None, limit: int
) -> Page[ReportView]:
    r = reports.c
    reporter, owner = profiles.alias("reporter"), profiles.alias("owner")
    query = (
        select(reports, reporter.c.username.label("reporter"), owner.c.username.label("owner"))
        .join(reporter, reporter.c.user_id == r.reporter_id)
        .join(owner, owner.c.user_id == r.owner_id)
        .where(after(cursor, r.created_at, r.id, newest_first=False))
        .order_by(r.created_at, r.id)
        .limit(limit + 1)
    )
    if status is not None:
        query = query.where(r.status == status.value)
    async with db.connect() as conn:
        found = list(await conn.execute(query))
        targets = await _targets(conn, found[:limit])

    def view(row: Any) -> ReportView:
        state, text, count = targets[(row.target_type, row.target_id)]
        return ReportView(
            report_id=row.id,
            reporter=row.reporter,
            target_type=row.target_type,
            target_id=row.target_id,
            owner=row.owner,
            reason=row.reason,
            created_at=row.created_at,
            status=row.status,
            resolution=row.resolution,
            resolved_at=row.resolved_at,
            target_state=state,
            target_text=text,
            open_reports=count,
        )

    return page(found, limit, view, lambda row: (row.created_at, row.id))


async def _targets(
    conn: AsyncConnection, rows: list[Any]
) -> dict[tuple[str, str], tuple[str, str, int]]:
    """(moderation state, text, open reports) of each report's target."""
    found: dict[tuple[str, str], tuple[str, str, int]] = {}
    for kind, target_id in {(row.target_type, row.target_id) for row in rows}:
        if kind == TargetType.POST.value:
            row = (
                await conn.execute(
                    select(posts.c.moderation, posts.c.text).where(posts.c.id == target_id)
                )
            ).first()
        elif kind == TargetType.COMMENT.value:
            row = (
                await conn.execute(
                    select(comments.c.moderation, comments.c.text).where(comments.c.id == target_id)
                )
            ).first()
        else:
            row = (
                await conn.execute(
                    select(
                        profiles.c.moderation,
                        (profiles.c.display_name + "\n" + profiles.c.bio).label("text"),
                    ).where(profiles.c.user_id == target_id)
                )
            ).first()
        count = await conn.scalar(
            select(func.count()).where(
                reports.c.target_type == kind,
                reports.c.target_id == target_id,
                reports.c.status == ReportStatus.OPEN.value,
            )
        )
        found[(kind, target_id)] = (
            ("gone", "", 0) if row is None else (row.moderation, row.text, int(count or 0))
        )
    return found
