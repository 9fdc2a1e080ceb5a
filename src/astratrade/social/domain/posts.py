"""Posts, their comments (one level deep: a comment answers a post, never a comment) and
reactions (one per user per post, changeable).

A post is plain text of at most 500 characters with the market tags it names and, if its
author wants, one of their own closed positions attached as a trade share. Its author may
edit the text for 15 minutes and delete it any time; deletion is soft (the row stays, the
post is gone for everyone). Automatic items are posts the platform writes in the author's
name (an achievement, a level, a podium): never edited."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any

from astratrade.shared.errors import Conflict, NotFound
from astratrade.shared.messages import Aggregate
from astratrade.social.domain import events
from astratrade.social.domain.moderated import Moderated
from astratrade.social.domain.rules import Moderation, ReactionKind, SocialRules
from astratrade.social.domain.shares import TradeShare
from astratrade.social.domain.text import checked_text, market_tags


class PostKind(StrEnum):
    POST = "post"
    ACHIEVEMENT = "achievement"
    LEVEL = "level"
    PODIUM = "podium"
    LEADING = "leading"


class Post(Moderated):
    aggregate_type = "post"

    def __init__(
        self,
        post_id: str,
        *,
        author_id: str,
        kind: PostKind,
        text: str,
        markets: tuple[str, ...],
        created_at: datetime,
        trade_share: TradeShare | None = None,
        details: dict[str, Any] | None = None,
        edited_at: datetime | None = None,
        deleted_at: datetime | None = None,
        moderation: Moderation = Moderation.VISIBLE,
        version: int = 0,
    ) -> None:
        super().__init__(post_id, version)
        self.author_id = author_id
        self.kind = kind
        self.text = text
        self.markets = markets
        self.created_at = created_at
        self.trade_share = trade_share
        self.details = details or {}
        self.edited_at = edited_at
        self.deleted_at = deleted_at
        self.moderation = moderation
        self.markets_changed = False  # the adapter rewrites the market index then

    @classmethod
    def write(
        cls,
        post_id: str,
        author_id: str,
        text: str,
        at: datetime,
        rules: SocialRules,
        listed: Iterable[str],
        trade_share: TradeShare | None = None,
    ) -> Post:
        """A trader's post: text may be blank only when a trade share says it all."""
        checked_text("text", text, rules.post_max, required=trade_share is None)
        post = cls(
            post_id,
            author_id=author_id,
            kind=PostKind.POST,
            text=text,
            markets=market_tags(text, listed),
            created_at=at,
            trade_share=trade_share,
        )
        post._published()
        return post

    @classmethod
    def automatic(
        cls,
        post_id: str,
        author_id: str,
        kind: PostKind,
        text: str,
        details: dict[str, Any],
        at: datetime,
    ) -> Post:
        post = cls(
            post_id,
            author_id=author_id,
            kind=kind,
            text=text,
            markets=(),
            created_at=at,
            details=details,
        )
        post._published()
        return post

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    def editable_until(self, rules: SocialRules) -> datetime | None:
        return self.created_at + rules.edit_window if self.kind is PostKind.POST else None

    def edit(self, text: str, at: datetime, rules: SocialRules, listed: Iterable[str]) -> None:
        self._exists()
        until = self.editable_until(rules)
        if until is None:
            raise Conflict(f"a {self.kind.value} item cannot be edited")
        if at > until:
            minutes = int(rules.edit_window.total_seconds() // 60)
            raise Conflict(
                f"post {self.id} can no longer be edited: the {minutes}-minute window "
                f"closed at {until.isoformat()}"
            )
        checked_text("text", text, rules.post_max, required=self.trade_share is None)
        if text == self.text:
            return
        markets = market_tags(text, listed)
        self.markets_changed = markets != self.markets
        self.text, self.markets, self.edited_at = text, markets, at
        self.record(
            events.PostEdited(
                post_id=self.id, author_id=self.author_id, text=text, markets=list(markets)
            )
        )

    def delete(self, at: datetime) -> None:
        self._exists()
        self.deleted_at = at
        self.record(events.PostDeleted(post_id=self.id, author_id=self.author_id))

    def reported_as(self) -> tuple[str, str]:
        return self.id, self.author_id

    def _exists(self) -> None:
        if self.deleted:
            raise NotFound(f"post {self.id} not found")

    def _published(self) -> None:
        self.record(
            events.PostPublished(
                post_id=self.id,
                author_id=self.author_id,
                kind=self.kind.value,
                text=self.text,
                markets=list(self.markets),
                trade_share=self.trade_share,
                details=self.details,
                created_at=self.created_at,
            )
        )


class Comment(Moderated):
    aggregate_type = "comment"

    def __init__(
        self,
        comment_id: str,
        *,
        post_id: str,
        author_id: str,
        text: str,
        created_at: datetime,
        deleted_at: datetime | None = None,
        moderation: Moderation = Moderation.VISIBLE,
        version: int = 0,
    ) -> None:
        super().__init__(comment_id, version)
        self.post_id = post_id
        self.author_id = author_id
        self.text = text
        self.created_at = created_at
        self.deleted_at = deleted_at
        self.moderation = moderation

    @classmethod
    def write(
        cls,
        comment_id: str,
        post: Post,
        author_id: str,
        text: str,
        at: datetime,
        rules: SocialRules,
    ) -> Comment:
        checked_text("text", text, rules.comment_max)
        comment = cls(comment_id, post_id=post.id, author_id=author_id, text=text, created_at=at)
        comment.record(
            events.CommentAdded(
                comment_id=comment_id,
                post_id=post.id,
                author_id=author_id,
                post_author_id=post.author_id,
                text=text,
            )
        )
        return comment

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    def delete(self, by: str, at: datetime) -> None:
        if self.deleted:
            raise NotFound(f"comment {self.id} not found")
        self.deleted_at = at
        self.record(
            events.CommentDeleted(
                comment_id=self.id, post_id=self.post_id, author_id=self.author_id, deleted_by=by
            )
        )

    def reported_as(self) -> tuple[str, str]:
        return self.id, self.author_id


class Reaction(Aggregate):
    """One user's reaction to one post (kind None: none now; the row stays for numbering)."""

    aggregate_type = "reaction"

    def __init__(
        self,
        reaction_id: str,
        *,
        post_id: str,
        user_id: str,
        kind: ReactionKind | None = None,
        updated_at: datetime | None = None,
        version: int = 0,
    ) -> None:
        super().__init__(reaction_id, version)
        self.post_id = post_id
        self.user_id = user_id
        self.kind = kind
        self.updated_at = updated_at

    def set(self, kind: ReactionKind, at: datetime) -> None:
        if kind is self.kind:
            return
        previous, self.kind, self.updated_at = self.kind, kind, at
        self.record(
            events.ReactionSet(
                post_id=self.post_id,
                user_id=self.user_id,
                kind=kind.value,
                previous=None if previous is None else previous.value,
            )
        )

    def remove(self, at: datetime) -> bool:
        if self.kind is None:
            return False
        previous, self.kind, self.updated_at = self.kind, None, at
        self.record(
            events.ReactionRemoved(post_id=self.post_id, user_id=self.user_id, kind=previous.value)
        )
        return True
