"""The `feed` WebSocket channel's reads: a snapshot (the first page of the home feed) when
a client subscribes, and, for each new post or automatic item, who of the clients
watching may see it (the author and their approved followers: a follow never survives a
block) with the item as they get it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.shared.errors import NotFound
from astratrade.shared.messages import Envelope, to_json_value
from astratrade.social.adapters.tables import follows, profiles
from astratrade.social.domain.rules import Moderation, SocialRules
from astratrade.social.views.common import ACTIVE
from astratrade.social.views.feeds import home_feed, post

PUSHED = frozenset({"PostPublished"})  # new items; edits and deletions show on reading


class LiveFeed:
    def __init__(self, read_db: AsyncEngine, rules: SocialRules) -> None:
        self._db = read_db
        self._rules = rules

    async def snapshot(self, user_id: str) -> dict[str, Any]:
        page = await home_feed(self._db, user_id, None, self._rules.page_size, self._rules)
        return {"items": to_json_value(page.items), "next_cursor": page.next_cursor}

    async def pushed(
        self, envelope: Envelope, watching: set[str]
    ) -> tuple[dict[str, Any] | None, list[str]]:
        """The item, and the users among `watching` whose feed it belongs in."""
        if envelope.type not in PUSHED or not watching:
            return None, []
        author, post_id = str(envelope.payload["author_id"]), str(envelope.payload["post_id"])
        try:
            item = await post(self._db, author, post_id, self._rules)
        except NotFound:  # deleted meanwhile
            return None, []
        audience = {author} & watching
        async with self._db.connect() as conn:
            suspended = await conn.scalar(
                select(profiles.c.suspended).where(profiles.c.user_id == author)
            )
            if item.moderation == Moderation.VISIBLE.value and not suspended:
                f = follows.c
                followers = await conn.scalars(
                    select(f.follower_id).where(
                        f.followee_id == author,
                        f.status == ACTIVE,
                        f.follower_id.in_(sorted(watching)),
                    )
                )
                audience |= set(followers)
        # The author's own view: nobody has reacted or commented yet.
        return {"type": "FeedItem", **to_json_value(item)}, sorted(audience)
