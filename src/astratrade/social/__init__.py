"""Social: profiles, follows, blocks, posts, comments, reactions, the feeds and moderation."""
