"""Gamification: XP, levels, leverage unlocks, streaks and achievements (the progression rules)."""
