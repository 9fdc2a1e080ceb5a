"""Posts, feeds, comments and reactions over HTTP. Texts are plain and stored as given;
the API answers JSON only, so nothing is ever rendered as HTML here. Posts count against
`rate_limit_posts_per_user`, comments and reactions together against
`rate_limit_interactions_per_user`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from astratrade.infrastructure.tokens import Claims
from astratrade.infrastructure.web.deps import Bus, CurrentUser, Db, signed_in
from astratrade.infrastructure.web.http import DecimalRoute
from astratrade.infrastructure.web.schemas import Cursor
from astratrade.shared.errors import NotFound
from astratrade.social import views
from astratrade.social.api.schemas import (
    CommentIn,
    CommentOut,
    CommentsOut,
    FeedOut,
    Limit,
    PostEditIn,
    PostIn,
    PostOut,
    ReactionIn,
    ReactionOut,
    Social,
)
from astratrade.social.domain.commands import (
    AddComment,
    DeleteComment,
    DeletePost,
    EditPost,
    PublishPost,
    React,
)
from astratrade.social.domain.posts import Comment, Post, Reaction

router = APIRouter(prefix="/api/v1", tags=["social"], route_class=DecimalRoute)
Key = Annotated[str, Path(min_length=1, max_length=64)]
Posting = Annotated[Claims, signed_in("posts")]
Interacting = Annotated[Claims, signed_in("interactions")]
NO_CONTENT = Response(status_code=204)


@router.post("/posts", status_code=201, response_model=PostOut)
async def publish(body: PostIn, user: Posting, bus: Bus, db: Db, social: Social) -> PostOut:
    """Plain text (≤ 500 characters, blank only with a trade share); `$BTC` tags BTC-USD.
    trade_share.position_id: one of the caller's closed positions
    (GET /profiles/me/closed-positions); anyone else's is not found."""
    share = body.trade_share
    post: Post = await bus.execute(
        PublishPost(
            user_id=user.user_id,
            text=body.text,
            position_id=None if share is None else share.position_id,
        )
    )
    return PostOut.of(await views.post(db, user.user_id, post.id, social.rules))


@router.get("/posts/{post_id}", response_model=PostOut)
async def read_post(post_id: Key, user: CurrentUser, db: Db, social: Social) -> PostOut:
    return PostOut.of(await views.post(db, user.user_id, post_id, social.rules))


@router.patch("/posts/{post_id}", response_model=PostOut)
async def edit(
    post_id: Key, body: PostEditIn, user: CurrentUser, bus: Bus, db: Db, social: Social
) -> PostOut:
    """The author's own post, within 15 minutes of posting (409 after)."""
    await bus.execute(EditPost(user_id=user.user_id, post_id=post_id, text=body.text))
    return PostOut.of(await views.post(db, user.user_id, post_id, social.rules))


@router.delete("/posts/{post_id}", status_code=204)
async def delete(post_id: Key, user: CurrentUser, bus: Bus) -> Response:
    await bus.execute(DeletePost(user_id=user.user_id, post_id=post_id))
    return NO_CONTENT


@router.get("/feed", response_model=FeedOut)
async def home(
    user: CurrentUser, db: Db, social: Social, cursor: Cursor = None, limit: Limit = 20
) -> FeedOut:
    """Posts and automatic items of the people the caller follows and their own, newest
    first; pass `next_cursor` back as `cursor` for the next page."""
    return FeedOut.of(await views.home_feed(db, user.user_id, cursor, limit, social.rules))


@router.get("/profiles/{username}/posts", response_model=FeedOut)
async def profile_posts(
    username: Key,
    user: CurrentUser,
    db: Db,
    social: Social,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> FeedOut:
    page = await views.profile_feed(db, user.user_id, username, cursor, limit, social.rules)
    return FeedOut.of(page)


@router.get("/markets/{market}/posts", response_model=FeedOut)
async def market_posts(
    market: Key,
    user: CurrentUser,
    db: Db,
    social: Social,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> FeedOut:
    """Posts tagging the market (`$BTC` for BTC-USD) that the caller may see."""
    if market not in social.markets:
        raise NotFound(f"no market {market!r}")
    page = await views.market_feed(db, user.user_id, market, cursor, limit, social.rules)
    return FeedOut.of(page)


@router.post("/posts/{post_id}/comments", status_code=201, response_model=CommentOut)
async def comment(post_id: Key, body: CommentIn, user: Interacting, bus: Bus, db: Db) -> CommentOut:
    """Plain text, ≤ 280 characters; comments answer posts only (one level)."""
    written: Comment = await bus.execute(
        AddComment(user_id=user.user_id, post_id=post_id, text=body.text)
    )
    return CommentOut.of(
        views.CommentView(
            comment_id=written.id,
            post_id=written.post_id,
            author=await _me(db, user.user_id),
            text=written.text,
            created_at=written.created_at,
            moderation=written.moderation.value,
        )
    )


async def _me(db: Db, user_id: str) -> views.AuthorView:
    me = await views.profile_of(db, user_id, user_id=user_id)
    return views.AuthorView(me.user_id, me.username, me.display_name)


@router.get("/posts/{post_id}/comments", response_model=CommentsOut)
async def comments(
    post_id: Key, user: CurrentUser, db: Db, cursor: Cursor = None, limit: Limit = 20
) -> CommentsOut:
    """The comments the caller may see, oldest first."""
    page = await views.comments_of(db, user.user_id, post_id, cursor, limit)
    return CommentsOut(items=[CommentOut.of(c) for c in page.items], next_cursor=page.next_cursor)


@router.delete("/comments/{comment_id}", status_code=204)
async def delete_comment(comment_id: Key, user: CurrentUser, bus: Bus) -> Response:
    """By its author, or the author of the post it answers."""
    await bus.execute(DeleteComment(user_id=user.user_id, comment_id=comment_id))
    return NO_CONTENT


@router.put("/posts/{post_id}/reaction", response_model=ReactionOut)
async def react(post_id: Key, body: ReactionIn, user: Interacting, bus: Bus) -> ReactionOut:
    """The caller's one reaction to the post (like, fire, rocket, insight), changeable."""
    reaction: Reaction = await bus.execute(
        React(user_id=user.user_id, post_id=post_id, kind=body.kind)
    )
    return ReactionOut(post_id=post_id, kind=None if reaction.kind is None else reaction.kind.value)


@router.delete("/posts/{post_id}/reaction", status_code=204)
async def take_back(post_id: Key, user: Interacting, bus: Bus) -> Response:
    await bus.execute(React(user_id=user.user_id, post_id=post_id, kind=None))
    return NO_CONTENT
