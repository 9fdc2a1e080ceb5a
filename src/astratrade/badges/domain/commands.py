"""Instructions to badges (from its admin API)."""

from __future__ import annotations

from dataclasses import dataclass

from astratrade.shared.messages import Command


@dataclass(frozen=True, kw_only=True)
class RevokeBadge(Command):
    """Withdraw the achievement behind a badge (admin only)."""

    token_id: int
    reason: str
    admin_id: str
