"""Reports and what moderation does with them.

Anyone may report a post, comment or profile they can see (not their own) once, with a
reason; when distinct users with open reports on it reach the threshold (3), it is hidden
pending review. A moderator's decision on one report applies to its target and resolves
every open report of that target: hide, restore, dismiss (unfounded: shown again unless a
moderator hid it), or suspend (hidden, and its owner's social presence suspended)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from astratrade.shared.messages import Aggregate
from astratrade.social.domain import events
from astratrade.social.domain.rules import (
    Moderation,
    ReportReason,
    ResolveAction,
    SocialRules,
    TargetType,
)


class ReportStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class Report(Aggregate):
    aggregate_type = "report"

    def __init__(
        self,
        report_id: str,
        *,
        reporter_id: str,
        target_type: TargetType,
        target_id: str,
        owner_id: str,
        reason: ReportReason,
        created_at: datetime,
        status: ReportStatus = ReportStatus.OPEN,
        resolution: ResolveAction | None = None,
        resolved_by: str | None = None,
        resolved_at: datetime | None = None,
        version: int = 0,
    ) -> None:
        super().__init__(report_id, version)
        self.reporter_id = reporter_id
        self.target_type = target_type
        self.target_id = target_id
        self.owner_id = owner_id
        self.reason = reason
        self.created_at = created_at
        self.status = status
        self.resolution = resolution
        self.resolved_by = resolved_by
        self.resolved_at = resolved_at

    @classmethod
    def file(
        cls,
        report_id: str,
        reporter_id: str,
        target_type: TargetType,
        target_id: str,
        owner_id: str,
        reason: ReportReason,
        at: datetime,
    ) -> Report:
        report = cls(
            report_id,
            reporter_id=reporter_id,
            target_type=target_type,
            target_id=target_id,
            owner_id=owner_id,
            reason=reason,
            created_at=at,
        )
        report.record(
            events.ContentReported(
                report_id=report_id,
                reporter_id=reporter_id,
                target_type=target_type.value,
                target_id=target_id,
                reason=reason.value,
            )
        )
        return report

    @property
    def open(self) -> bool:
        return self.status is ReportStatus.OPEN

    def resolve(self, action: ResolveAction, admin_id: str, at: datetime) -> None:
        self.status = ReportStatus.RESOLVED
        self.resolution, self.resolved_by, self.resolved_at = action, admin_id, at
        self.record(
            events.ReportResolved(
                report_id=self.id,
                target_type=self.target_type.value,
                target_id=self.target_id,
                owner_id=self.owner_id,
                action=action.value,
                resolved_by=admin_id,
            )
        )


def state_after_reports(current: Moderation, reporters: int, rules: SocialRules) -> Moderation:
    """Visible content reported by enough distinct users is hidden pending review; content
    already hidden or pending stays as it is."""
    if current is Moderation.VISIBLE and reporters >= rules.hide_after_reporters:
        return Moderation.PENDING
    return current


def state_after_decision(current: Moderation, action: ResolveAction) -> Moderation:
    if action in (ResolveAction.HIDE, ResolveAction.SUSPEND):
        return Moderation.HIDDEN
    if action is ResolveAction.RESTORE:
        return Moderation.VISIBLE
    # Dismissed: the reports were unfounded, so what they hid shows again; what a moderator
    # hid earlier stays hidden.
    return Moderation.VISIBLE if current is Moderation.PENDING else current
