"""Gamification: XP, levels, leverage unlocks, streaks and achievements (SPEC section 6)."""
