"""Gamification's public routes: progression and boards, tournaments."""
