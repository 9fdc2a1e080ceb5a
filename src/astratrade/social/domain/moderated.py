"""What a moderator may hide or restore: a post, a comment, a profile."""

from __future__ import annotations

from abc import ABC, abstractmethod

from astratrade.shared.messages import Aggregate
from astratrade.social.domain import events
from astratrade.social.domain.rules import Moderation


class Moderated(Aggregate, ABC):
    moderation: Moderation

    @abstractmethod
    def reported_as(self) -> tuple[str, str]:
        """(the id reports name it by, its owner): each kind of content says its own."""

    def moderate(self, state: Moderation, by: str) -> None:
        if state is self.moderation:
            return
        self.moderation = state
        target_id, owner_id = self.reported_as()
        self.record(
            events.ContentModerated(
                target_type=self.aggregate_type,
                target_id=target_id,
                owner_id=owner_id,
                state=state,
                by=by,
            )
        )
