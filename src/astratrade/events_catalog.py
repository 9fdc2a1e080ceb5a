"""The catalogue of every cross-context event, and the docs generated from it.

`python -m astratrade.events_catalog --write` (make schemas) regenerates docs/events;
`--check` exits 1 when the committed files differ from what the event classes generate.
`--write` refuses (exit 1) to record a change that breaks the committed schemas' consumers
without a new schema_version, unless given --force: otherwise regenerating the docs would
quietly turn an incompatible change into the new baseline.

Which classes are events: every subclass of Event defined in a module of EVENT_MODULES,
except those another such class extends (bases like TradingEvent, which only set the
context). So do not extend a published event: the parent would drop out of the catalogue.
Each listed class must set `context`."""

from __future__ import annotations

import argparse
import difflib
import importlib
import inspect
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from astratrade.shared.messages import Event
from astratrade.shared.schemas import ENVELOPE_SCHEMA, Schema, breaking_changes, schema_of

# One line per context. This module sits above the contexts (like astratrade.tables), so
# importing all of them does not break their independence.
EVENT_MODULES = (
    "astratrade.users.domain.events",
    "astratrade.gamification.domain.events",
    "astratrade.trading.domain.events",
    "astratrade.financial.domain.events",
    "astratrade.social.domain.events",
    "astratrade.copytrading.domain.events",
    "astratrade.badges.domain.events",
)

DOCS_DIR = Path("docs/events")
JSON_FILE = "schemas.json"
README_FILE = "README.md"


def all_event_classes() -> list[type[Event]]:
    """Every published event class, sorted by (context, name)."""
    found: list[type[Event]] = []
    for module_name in EVENT_MODULES:
        module = importlib.import_module(module_name)
        found += [
            cls
            for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, Event) and cls is not Event and cls.__module__ == module_name
        ]
    events = [cls for cls in found if not any(o is not cls and issubclass(o, cls) for o in found)]
    for cls in events:
        if not isinstance(getattr(cls, "context", None), str):
            # number_events would fail on it at commit time; fail here, at build time.
            raise TypeError(f"{cls.__module__}.{cls.__name__} does not set `context`")
    return sorted(events, key=lambda cls: (cls.context, cls.type_name()))


def catalog() -> dict[str, Any]:
    """The envelope schema and the schema of every event."""
    return {"envelope": ENVELOPE_SCHEMA, "events": [schema_of(c) for c in all_event_classes()]}


def render_files(data: dict[str, Any] | None = None) -> dict[str, str]:
    """The generated files' names and contents: schemas.json and README.md."""
    data = catalog() if data is None else data
    return {
        JSON_FILE: json.dumps(data, indent=2, sort_keys=True) + "\n",
        README_FILE: render_readme(data),
    }


def render_readme(data: dict[str, Any]) -> str:
    """A human-readable page: the envelope, an index, then a field table per event."""
    lines = [
        "# Event schemas",
        "",
        "Generated from the event classes by `make schemas` "
        "(`python -m astratrade.events_catalog --write`). Do not edit by hand; "
        f"the machine-readable form is [{JSON_FILE}]({JSON_FILE}).",
        "",
        "Every event travels in an envelope. Consumers subscribe by `type` and read the "
        "`payload`, whose fields are listed per event below. Every field is always present; "
        "`required: no` means its value may be null.",
        "",
        "Within one version a schema may only gain optional fields. Removing a field, "
        "changing its type, changing whether it may be null or adding a required field needs "
        "a new `schema_version` on the event class (tests/unit/test_event_schemas.py checks).",
        "",
        f"## Envelope (v{data['envelope']['version']})",
        "",
        *_field_table(data["envelope"]["fields"]),
        "",
        "## Events",
        "",
        "| context | event | version | description |",
        "| --- | --- | --- | --- |",
    ]
    for event in data["events"]:
        link = f"[{event['name']}](#{event['name'].lower()})"
        cells = (event["context"], link, str(event["version"]), event["description"])
        lines.append(_row(*cells))
    for event in data["events"]:
        lines += [
            "",
            f"### {event['name']}",
            "",
            f"Context `{event['context']}`, version {event['version']}.",
            *(["", _cell(event["description"])] if event["description"] else []),
            "",
            *_field_table(event["fields"]),
        ]
    return "\n".join(lines) + "\n"


def _field_table(fields: list[Schema]) -> list[str]:
    if not fields:
        return ["No fields."]
    # A column of dashes says nothing: show descriptions only where some field has one.
    described = any(f.get("description") for f in fields)
    heading = ("field", "type", "required", *(("description",) if described else ()))
    rows = [_row(*heading), _row(*("---" for _ in heading))]
    for f in fields:
        required = "yes" if f["required"] else "no"
        extra = (f.get("description", ""),) if described else ()
        rows.append(_row(f"`{f['name']}`", f["type"], required, *extra))
    return rows


def _row(*cells: str) -> str:
    return "| " + " | ".join(_cell(cell) or "—" for cell in cells) + " |"


def _cell(text: str) -> str:
    # A pipe or a line break inside a docstring would otherwise split the table row.
    return " ".join(text.split()).replace("|", "\\|")


def committed(directory: Path) -> dict[str, Any] | None:
    """The catalog recorded in `directory`, or None when there is none yet."""
    path = directory / JSON_FILE
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def check(directory: Path) -> list[str]:
    """Unified diffs of every generated file that differs from the one in `directory`."""
    diffs: list[str] = []
    for name, wanted in render_files().items():
        path = directory / name
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != wanted:
            diff = difflib.unified_diff(
                current.splitlines(keepends=True),
                wanted.splitlines(keepends=True),
                fromfile=f"{path} (committed)",
                tofile=f"{path} (generated)",
            )
            diffs.append("".join(diff))
    return diffs


def write(directory: Path) -> list[Path]:
    """Write the generated files into `directory`; returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, content in render_files().items():
        path = directory / name
        path.write_text(content, encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: --write regenerates the docs, --check verifies them (exit 1 on drift)."""
    parser = argparse.ArgumentParser(prog="python -m astratrade.events_catalog")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true", help="regenerate the files")
    action.add_argument("--check", action="store_true", help="exit 1 if they are stale")
    parser.add_argument("--dir", type=Path, default=DOCS_DIR, help="default: %(default)s")
    parser.add_argument(
        "--force", action="store_true", help="with --write: record breaking changes too"
    )
    args = parser.parse_args(argv)
    if args.write:
        recorded = committed(args.dir)
        breaks = [] if recorded is None or args.force else breaking_changes(recorded, catalog())
        if breaks:
            sys.stderr.write("".join(f"{problem}\n" for problem in breaks))
            sys.stderr.write(
                "\nThese changes break consumers of the recorded schemas: bump the event's "
                "schema_version (or keep the field), or record them anyway with --force.\n"
            )
            return 1
        for path in write(args.dir):
            print(f"wrote {path}")
        return 0
    diffs = check(args.dir)
    if diffs:
        sys.stderr.write("".join(diffs))
        sys.stderr.write(f"\n{args.dir} is stale: run `make schemas` and commit the result.\n")
        return 1
    print(f"{args.dir} is up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
