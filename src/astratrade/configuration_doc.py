"""docs/configuration.md, generated from the settings' own docstrings.

`python -m astratrade.configuration_doc --write` (make docs) regenerates it; `--check`
exits 1 when the committed page differs from what the settings generate."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from astratrade.config import Settings

DOC = Path("docs/configuration.md")
HEADER = """# Configuration

Every setting is an environment variable. Embedded mode (`make run`) needs none of them;
distributed mode needs at least `ASTRATRADE_DATABASE_URL` (PostgreSQL),
`ASTRATRADE_REDIS_URL` and `ASTRATRADE_JWT_SECRET`. Secrets come from the environment, never
from files in the repository.

This page is generated from `src/astratrade/config.py` (`make docs`); a test fails when it is
stale.

| variable | default | what it does |
| --- | --- | --- |
"""


def render() -> str:
    prefix = str(Settings.model_config.get("env_prefix", ""))
    rows = [
        f"| `{prefix}{name.upper()}` | {_default(field)} | {_one_line(field.description)} |"
        for name, field in Settings.model_fields.items()
    ]
    return HEADER + "\n".join(rows) + "\n"


def _default(field: FieldInfo) -> str:
    if field.default_factory is not None:
        return "(computed)"
    value = field.default
    if value is None or value is PydanticUndefined:
        return "unset"
    text = str(value)
    if text == "":
        return '""'
    if len(text) > 40:  # long lists: the docs' text names them
        return f"`{text[:37]}…`"
    return f"`{text}`"


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split()).replace("|", "\\|")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true")
    action.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    if args.write:
        DOC.write_text(render(), encoding="utf-8")
        return 0
    current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    if current != render():
        print(f"{DOC} is stale: run `make docs`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
