"""What every copy-trading use case is given."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from astratrade.copytrading.domain.rules import CopyRules
from astratrade.copytrading.ports import CopyTradingUnitOfWork
from astratrade.shared.clock import Clock


@dataclass(frozen=True, slots=True)
class Tools:
    new_uow: Callable[[], CopyTradingUnitOfWork]
    clock: Clock
    rules: CopyRules
