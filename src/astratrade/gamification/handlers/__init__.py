"""Gamification's use cases, by concept: progression from closed positions, tournaments."""
