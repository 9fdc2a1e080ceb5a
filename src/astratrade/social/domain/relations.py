"""Who follows whom, and who blocked whom.

A follow is a relation that moves between states: none -> requested (a private profile's
owner decides) -> active, or none -> active at once for a public profile; any of them back
to none (unfollowed, a request withdrawn or declined, a follower removed, a block). Rows
are kept in state none, so the relation's event numbering goes on if it starts again.

A block hides each from the other entirely (profiles, posts, comments, reactions) and ends
any follow between them; the blocked user cannot follow, comment on or react to the
blocker's posts while it stands."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from astratrade.shared.errors import Conflict
from astratrade.shared.messages import Aggregate
from astratrade.social.domain import events


class FollowStatus(StrEnum):
    NONE = "none"
    REQUESTED = "requested"
    ACTIVE = "active"


class Follow(Aggregate):
    aggregate_type = "follow"

    def __init__(
        self,
        follow_id: str,
        *,
        follower_id: str,
        followee_id: str,
        status: FollowStatus = FollowStatus.NONE,
        requested_at: datetime | None = None,
        since: datetime | None = None,
        version: int = 0,
    ) -> None:
        super().__init__(follow_id, version)
        self.follower_id = follower_id
        self.followee_id = followee_id
        self.status = status
        self.requested_at = requested_at  # when it was last asked for
        self.since = since  # when it last became active

    @property
    def active(self) -> bool:
        return self.status is FollowStatus.ACTIVE

    def ask(self, *, needs_approval: bool, at: datetime) -> None:
        """Follow: active at once, or a request when the followee's profile is private.
        Asking again while requested or active changes nothing."""
        if self.status is not FollowStatus.NONE:
            return
        self.requested_at = at
        if needs_approval:
            self.status = FollowStatus.REQUESTED
            self.record(events.FollowRequested(**self._ids()))
        else:
            self._activate(at, approved=False)

    def approve(self, at: datetime) -> None:
        if self.status is not FollowStatus.REQUESTED:
            raise Conflict(f"follow request {self.id} is {self.status.value}, not pending")
        self._activate(at, approved=True)

    def decline(self) -> None:
        if self.status is not FollowStatus.REQUESTED:
            raise Conflict(f"follow request {self.id} is {self.status.value}, not pending")
        self.status = FollowStatus.NONE
        self.record(events.FollowRequestDeclined(**self._ids()))

    def end(self, reason: str) -> bool:
        """Unfollowed, withdrawn, removed or blocked; True if there was something to end."""
        if self.status is FollowStatus.NONE:
            return False
        if reason == "unfollowed" and self.status is FollowStatus.REQUESTED:
            reason = "withdrawn"
        self.status = FollowStatus.NONE
        self.since = None
        self.record(events.Unfollowed(**self._ids(), reason=reason))
        return True

    def _activate(self, at: datetime, *, approved: bool) -> None:
        self.status = FollowStatus.ACTIVE
        self.since = at
        self.record(events.Followed(**self._ids(), approved=approved))

    def _ids(self) -> dict[str, str]:
        return {
            "follow_id": self.id,
            "follower_id": self.follower_id,
            "followee_id": self.followee_id,
        }


class Block(Aggregate):
    aggregate_type = "block"

    def __init__(
        self,
        block_id: str,
        *,
        blocker_id: str,
        blocked_id: str,
        active: bool = False,
        since: datetime | None = None,
        version: int = 0,
    ) -> None:
        super().__init__(block_id, version)
        self.blocker_id = blocker_id
        self.blocked_id = blocked_id
        self.active = active
        self.since = since

    def block(self, at: datetime) -> bool:
        """True if it was not in force already."""
        if self.active:
            return False
        self.active, self.since = True, at
        self.record(events.UserBlocked(blocker_id=self.blocker_id, blocked_id=self.blocked_id))
        return True

    def unblock(self) -> bool:
        if not self.active:
            return False
        self.active, self.since = False, None
        self.record(events.UserUnblocked(blocker_id=self.blocker_id, blocked_id=self.blocked_id))
        return True
