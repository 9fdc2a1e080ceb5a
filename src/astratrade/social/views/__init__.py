"""Social's read side: feeds, profiles and lists as a viewer may see them, and the
moderators' queue, as plain DTOs."""

from astratrade.social.views.common import Page
from astratrade.social.views.feeds import (
    AuthorView,
    CommentView,
    PostView,
    comments_of,
    home_feed,
    market_feed,
    post,
    profile_feed,
)
from astratrade.social.views.moderation import ReportView, report_queue
from astratrade.social.views.people import (
    BlockedView,
    PersonView,
    ProfileView,
    Relationship,
    RequestView,
    ShareableView,
    blocked_people,
    follow_requests,
    people,
    profile_of,
    shareable_positions,
)

__all__ = [
    "AuthorView",
    "BlockedView",
    "CommentView",
    "Page",
    "PersonView",
    "PostView",
    "ProfileView",
    "Relationship",
    "ReportView",
    "RequestView",
    "ShareableView",
    "blocked_people",
    "comments_of",
    "follow_requests",
    "home_feed",
    "market_feed",
    "people",
    "post",
    "profile_feed",
    "profile_of",
    "report_queue",
    "shareable_positions",
]
