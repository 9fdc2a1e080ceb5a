"""What the crowd leaves for the checks after a run: each trader's credentials and every
order the platform answered 2xx, one JSON line each (LOAD_JOURNAL names the file)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

JOURNAL = os.environ.get("LOAD_JOURNAL", "")


def write(**record: Any) -> None:
    """Append one record; nothing when the run keeps no journal. Lines are small and written
    with one call, so traders of one Locust process never interleave inside a line."""
    if not JOURNAL:
        return
    with Path(JOURNAL).open("a") as out:
        out.write(json.dumps(record) + "\n")


def read(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
