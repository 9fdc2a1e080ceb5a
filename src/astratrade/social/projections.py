"""Social's read models of other contexts' events (filled in as they are subscribed)."""

from __future__ import annotations

from astratrade.infrastructure.projections import Projection

PROJECTIONS: tuple[Projection, ...] = ()
