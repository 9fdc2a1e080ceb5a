"""Who may see what. Blocks hide everything both ways; a private profile's posts reach its
approved followers and its owner only; a suspended owner's profile and content, and
content hidden by moderation, are seen by their owner alone; deleted content by nobody.

The feeds' SQL (social/views) states the same rules as queries; tests hold the two to
each other."""

from __future__ import annotations

from dataclasses import dataclass

from astratrade.social.domain.rules import Moderation


@dataclass(frozen=True, slots=True)
class Standing:
    """A viewer's standing towards an author (the owner of a profile, post or comment)."""

    viewer_id: str
    author_id: str
    blocked: bool  # either has blocked the other
    follows: bool  # the viewer is an approved (active) follower of the author
    private: bool  # the author's profile is private
    suspended: bool  # the author's social presence is suspended

    @property
    def own(self) -> bool:
        return self.viewer_id == self.author_id

    def sees_profile(self) -> bool:
        return self.own or not (self.blocked or self.suspended)

    def sees_posts(self) -> bool:
        """The author's posts (and followers lists): public, or an approved follower."""
        return self.own or (self.sees_profile() and (not self.private or self.follows))

    def sees(self, moderation: Moderation, deleted: bool) -> bool:
        """One of the author's posts in that state."""
        if deleted:
            return False
        return self.own or (moderation is Moderation.VISIBLE and self.sees_posts())

    def sees_comment(self, moderation: Moderation, deleted: bool) -> bool:
        """One of the author's comments (on a post the viewer sees): a comment is as public
        as the post it answers, whatever its author's own visibility."""
        if deleted:
            return False
        return self.own or (moderation is Moderation.VISIBLE and self.sees_profile())
