"""What analytics needs from outside: the marks the platform trades at, as they tick."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol


class Mark(Protocol):
    """One market's mark price at a moment (trading's quotes are such marks)."""

    @property
    def market(self) -> str: ...

    @property
    def mark(self) -> Decimal: ...

    @property
    def at(self) -> datetime: ...


MarksSeen = Callable[[Sequence[Mark]], None]  # told of each batch of marks, cheaply
# Follows the marks from where they are published (another process), telling `MarksSeen`
# of each batch, until cancelled.
MarksFollower = Callable[[MarksSeen], Coroutine[Any, Any, None]]
