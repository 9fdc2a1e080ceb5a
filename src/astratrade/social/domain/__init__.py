"""Social's pure model: profiles, relations, posts and their rules (no I/O)."""
