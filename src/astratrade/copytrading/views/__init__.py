"""Copy trading's read side: leaders and their statistics, as plain DTOs."""

from astratrade.copytrading.views.leaders import (
    SORTS,
    LeaderView,
    Page,
    directory,
    leader_by_id,
    leader_by_username,
)

__all__ = ["SORTS", "LeaderView", "Page", "directory", "leader_by_id", "leader_by_username"]
