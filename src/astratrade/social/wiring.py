"""Social's module: profiles opened from users' sign-ups, the commands of its API,
automatic items from gamification's events, and its read models of other contexts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fastapi import APIRouter

from astratrade.modules import Infrastructure, Module
from astratrade.shared.bus import Subscription
from astratrade.shared.delivery import Delivery
from astratrade.shared.messages import Envelope
from astratrade.social.adapters.repository import SqlSocialUnitOfWork
from astratrade.social.api import moderation as moderation_api
from astratrade.social.api import posts as posts_api
from astratrade.social.api import profiles as profiles_api
from astratrade.social.domain import commands as c
from astratrade.social.domain.rules import DEFAULT_RULES
from astratrade.social.handlers import automatic, moderation, posts, profiles
from astratrade.social.handlers.common import Tools
from astratrade.social.projections import PROJECTIONS
from astratrade.social.views.live import LiveFeed

# /profiles/me before /profiles/{username}: FastAPI tries routes in order.
ROUTERS: tuple[APIRouter, ...] = (profiles_api.router, posts_api.router, moderation_api.router)

Handler = Callable[[Any, Tools], Awaitable[Any]]
COMMANDS: dict[type[Any], Handler] = {
    c.UpdateProfile: profiles.update_profile,
    c.FollowUser: profiles.follow,
    c.UnfollowUser: profiles.unfollow,
    c.AnswerFollowRequest: profiles.answer_request,
    c.RemoveFollower: profiles.remove_follower,
    c.BlockUser: profiles.block,
    c.UnblockUser: profiles.unblock,
    c.PublishPost: posts.publish,
    c.EditPost: posts.edit,
    c.DeletePost: posts.delete,
    c.AddComment: posts.comment,
    c.DeleteComment: posts.delete_comment,
    c.React: posts.react,
    c.ReportContent: moderation.report,
    c.ResolveReport: moderation.resolve,
}


def wire(infra: Infrastructure, *, markets: Sequence[str]) -> Module:
    """`markets`: the markets trading lists (what `$BTC` may tag)."""
    engine, publisher, clock, ids = infra.db, infra.publisher, infra.clock, infra.ids

    def new_uow(delivery: Delivery | None = None) -> SqlSocialUnitOfWork:
        return SqlSocialUnitOfWork(engine, publisher, clock, ids, delivery=delivery)

    tools = Tools(new_uow, clock, ids, DEFAULT_RULES, tuple(markets))

    async def on_user_registered(envelope: Envelope, delivery: Delivery) -> None:
        data = envelope.payload
        await profiles.open_profile(
            str(data["user_id"]), str(data["username"]), new_uow(delivery), envelope.occurred_at
        )

    async def on_progression(envelope: Envelope, delivery: Delivery) -> None:
        await automatic.post_items(envelope, new_uow(delivery), envelope.occurred_at)

    return Module(
        "social",
        routers=ROUTERS,
        commands={kind: _bound(handler, tools) for kind, handler in COMMANDS.items()},
        subscriptions=(
            Subscription("UserRegistered", "users", "social", on_user_registered),
            *(
                Subscription(kind, "gamification", "social", on_progression)
                for kind in automatic.AUTOMATIC_EVENTS
            ),
            *(
                Subscription(kind, "copytrading", "social", on_progression)
                for kind in automatic.LEADING_EVENTS
            ),
        ),
        projections=PROJECTIONS,
        # The `feed` channel's reads, for the WebSocket hub where social runs beside it.
        provides={"social": tools, "social_feed": LiveFeed(infra.read_db, DEFAULT_RULES)},
    )


def _bound(handler: Handler, tools: Tools) -> Callable[[Any], Awaitable[Any]]:
    async def handle(command: Any) -> Any:
        return await handler(command, tools)

    handle.__name__ = handler.__name__
    return handle
