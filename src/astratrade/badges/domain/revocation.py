"""Withdrawing a badge: the aggregate whose one change is its revocation. Its id is the
badge's token id (64 hex digits: the audit log's ids hold 64 characters, a uint256 in
decimal needs 78), so the log's UNIQUE(aggregate_id, version) lets only one revocation of
a badge ever commit, however many admins press at once."""

from __future__ import annotations

from typing import ClassVar

from astratrade.badges.domain.badges import Badge
from astratrade.badges.domain.events import BadgeRevoked
from astratrade.shared.errors import Conflict, ValidationFailed
from astratrade.shared.messages import Aggregate

MAX_REASON = 280


def aggregate_id_of(token_id: int) -> str:
    return f"{token_id:064x}"


class BadgeRevocation(Aggregate):
    aggregate_type: ClassVar[str] = "badge"

    def __init__(self, badge: Badge) -> None:
        super().__init__(aggregate_id=aggregate_id_of(badge.token_id), version=0)
        self.badge = badge

    def revoke(self, reason: str, admin_id: str) -> None:
        reason = reason.strip()
        if not reason or len(reason) > MAX_REASON:
            raise ValidationFailed(
                "reason", f"reason must be 1-{MAX_REASON} characters, got {len(reason)}"
            )
        if self.badge.revoked:
            raise Conflict(f"badge {self.badge.token_id} was revoked already")
        self.record(
            BadgeRevoked(
                token_id=str(self.badge.token_id),
                user_id=self.badge.user_id,
                achievement=self.badge.achievement,
                reason=reason,
                revoked_by=admin_id,
            )
        )
