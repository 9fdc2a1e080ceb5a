"""Achievement badges: soulbound tokens, their images and verifiable credentials."""
