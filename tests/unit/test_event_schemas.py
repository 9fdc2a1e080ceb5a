"""Event schemas: the committed docs/events match the classes, and no event changes
incompatibly under the same schema_version."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any, ClassVar

import pytest

from astratrade import events_catalog
from astratrade.events_catalog import all_event_classes, catalog, render_files, render_readme
from astratrade.shared.messages import Envelope, Event
from astratrade.shared.schemas import (
    ENVELOPE_SCHEMA,
    breaking_changes,
    compatible,
    description_of,
    schema_of,
)

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "events"


@pytest.fixture(scope="module")
def recorded() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DOCS / "schemas.json").read_text(encoding="utf-8"))
    return data


# --- the committed schemas against the classes (compatibility first: it says why) ---------


def test_recorded_events_still_exist_under_their_version_or_a_newer_one(
    recorded: dict[str, Any],
) -> None:
    now = {schema["name"]: schema["version"] for schema in catalog()["events"]}
    for schema in recorded["events"]:
        assert schema["name"] in now, f"{schema['name']} is recorded but no class publishes it"
        assert now[schema["name"]] >= schema["version"], f"{schema['name']}: version went down"


def test_no_event_changed_incompatibly_without_a_new_version(recorded: dict[str, Any]) -> None:
    problems = breaking_changes(recorded, catalog())
    assert not problems, (
        "Incompatible event changes under the same schema_version - bump the class's "
        "schema_version (or keep the old field), then run `make schemas`:\n" + "\n".join(problems)
    )


def test_committed_docs_match_the_event_classes(recorded: dict[str, Any]) -> None:
    if breaking_changes(recorded, catalog()):
        pytest.skip("the incompatible change is reported by the compatibility test above")
    for name, wanted in render_files().items():
        current = (DOCS / name).read_text(encoding="utf-8")
        assert current == wanted, f"docs/events/{name} is stale: run `make schemas` and commit"


def test_the_check_command_agrees(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # On a scratch copy: the committed docs are the business of the two tests above.
    assert events_catalog.main(["--write", "--dir", str(tmp_path)]) == 0
    assert events_catalog.main(["--check", "--dir", str(tmp_path)]) == 0
    (tmp_path / "README.md").write_text("hand edited\n", encoding="utf-8")
    assert events_catalog.main(["--check", "--dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "-hand edited" in err
    assert "make schemas" in err


def test_write_refuses_to_record_a_breaking_change_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = catalog()
    filled = next(s for s in old["events"] if s["name"] == "OrderFilled")
    filled["fields"].append({"name": "gone", "type": "string", "required": True})
    (tmp_path / "schemas.json").write_text(json.dumps(old), encoding="utf-8")

    assert events_catalog.main(["--write", "--dir", str(tmp_path)]) == 1
    assert "field 'gone' was removed" in capsys.readouterr().err
    assert "gone" in (tmp_path / "schemas.json").read_text(encoding="utf-8")

    assert events_catalog.main(["--write", "--force", "--dir", str(tmp_path)]) == 0
    assert "gone" not in (tmp_path / "schemas.json").read_text(encoding="utf-8")


# --- which classes are events -----------------------------------------------------------------


def test_the_catalogue_lists_concrete_events_not_their_bases() -> None:
    names = [cls.type_name() for cls in all_event_classes()]
    assert "OrderFilled" in names
    assert "UserRegistered" in names
    assert "TradingEvent" not in names
    assert "Event" not in names
    keys = [(cls.context, cls.type_name()) for cls in all_event_classes()]
    assert keys == sorted(keys)


def test_every_contexts_events_module_is_catalogued() -> None:
    modules = {
        ".".join(path.relative_to(ROOT / "src").with_suffix("").parts)
        for path in (ROOT / "src" / "astratrade").glob("*/domain/events.py")
    }
    assert modules
    assert modules <= set(events_catalog.EVENT_MODULES), "add it to EVENT_MODULES"


def test_event_type_names_are_unique_across_contexts() -> None:
    # Consumers subscribe by type name alone, so two contexts may not share one.
    names = [cls.type_name() for cls in all_event_classes()]
    assert sorted({n for n in names if names.count(n) > 1}) == []


# --- schema_of ----------------------------------------------------------------------------


class Side(Enum):
    BUY = "buy"
    SELL = "sell"


@dataclass(frozen=True)
class Leg:
    market: str
    size: Decimal | None


@dataclass(frozen=True, kw_only=True)
class SampleHappened(Event):
    """Something happened.

    Details that stay out of the one-line description."""

    context: ClassVar[str] = "sample"
    schema_version: ClassVar[int] = 3

    amount: Decimal
    label: str
    count: int
    flag: bool
    at: datetime
    maybe: Decimal | None
    markets: list[str]
    side: Side
    legs: list[Leg]
    attrs: dict[str, Any]
    noted: str = field(default="", metadata={"description": "why it happened"})


@dataclass(frozen=True, kw_only=True)
class Undocumented(Event):
    context: ClassVar[str] = "sample"

    odd: complex


def test_schema_of_names_types_as_the_payload_carries_them() -> None:
    schema = schema_of(SampleHappened)
    assert (schema["name"], schema["context"], schema["version"]) == ("SampleHappened", "sample", 3)
    assert schema["description"] == "Something happened."
    types = {f["name"]: (f["type"], f["required"]) for f in schema["fields"]}
    assert types == {
        "amount": ("decimal (string)", True),
        "label": ("string", True),
        "count": ("integer", True),
        "flag": ("boolean", True),
        "at": ("datetime (ISO 8601 string)", True),
        "maybe": ("decimal (string)", False),
        "markets": ("array of string", True),
        "side": ("string (one of: buy, sell)", True),
        "legs": ("array of object {market: string, size?: decimal (string)}", True),
        "attrs": ("object", True),
        "noted": ("string", True),
    }
    assert [f["name"] for f in schema["fields"]] == list(types)  # declaration order
    assert schema["fields"][-1]["description"] == "why it happened"
    assert "description" not in schema["fields"][0]


def test_schema_of_refuses_a_type_it_cannot_name() -> None:
    with pytest.raises(TypeError, match=r"Undocumented\.odd"):
        schema_of(Undocumented)


def test_a_missing_docstring_is_an_empty_description_not_the_dataclass_signature() -> None:
    # @dataclass writes "Undocumented(*, odd: 'complex')" into __doc__ when there is none.
    assert (Undocumented.__doc__ or "").startswith("Undocumented(")
    assert description_of(Undocumented) == ""


def test_the_envelope_schema_covers_every_delivered_envelope_field() -> None:
    names = [f["name"] for f in ENVELOPE_SCHEMA["fields"]]
    assert set(names) == set(Envelope(**_envelope_kwargs()).as_json())
    optional = {f["name"] for f in ENVELOPE_SCHEMA["fields"] if not f["required"]}
    assert optional == {"correlation_id", "causation_id"}
    assert all(f["description"] for f in ENVELOPE_SCHEMA["fields"])


def _envelope_kwargs() -> dict[str, Any]:
    return {
        "event_id": "e",
        "type": "T",
        "version": 1,
        "context": "c",
        "aggregate_id": "a",
        "aggregate_version": 1,
        "occurred_at": datetime(2025, 1, 1, tzinfo=UTC),
        "payload": {},
    }


# --- compatible ---------------------------------------------------------------------------


def _schema(*fields: tuple[str, str, bool], version: int = 1) -> dict[str, Any]:
    return {
        "name": "Thing",
        "context": "sample",
        "version": version,
        "description": "",
        "fields": [{"name": n, "type": t, "required": r} for n, t, r in fields],
    }


def _fields(schema: dict[str, Any]) -> list[tuple[str, str, bool]]:
    return [(f["name"], f["type"], f["required"]) for f in schema["fields"]]


BASE = _schema(("id", "string", True), ("price", "decimal (string)", False))


def test_an_identical_schema_is_compatible() -> None:
    assert compatible(BASE, BASE) == []


def test_adding_an_optional_field_is_compatible() -> None:
    assert compatible(BASE, _schema(*_fields(BASE), ("note", "string", False))) == []


@pytest.mark.parametrize(
    ("new", "reason"),
    [
        (_schema(("id", "string", True)), "field 'price' was removed"),
        (_schema(("id", "integer", True), ("price", "decimal (string)", False)), "changed type"),
        (_schema(("id", "string", True), ("price", "decimal (string)", True)), "became required"),
        (_schema(("id", "string", False), ("price", "decimal (string)", False)), "optional"),
        (_schema(*_fields(BASE), ("note", "string", True)), "required field 'note' was added"),
    ],
    ids=["removed", "type", "now-required", "now-nullable", "added-required"],
)
def test_breaking_changes_are_reported(new: dict[str, Any], reason: str) -> None:
    problems = compatible(BASE, new)
    assert len(problems) == 1
    assert reason in problems[0]
    assert problems[0].startswith("Thing v1:")


def test_compatible_compares_only_one_name_and_version() -> None:
    with pytest.raises(ValueError, match="one name and version"):
        compatible(BASE, _schema(*_fields(BASE), version=2))


def test_a_new_version_may_change_anything_but_an_event_may_not_vanish() -> None:
    old = {"envelope": ENVELOPE_SCHEMA, "events": [BASE]}
    bumped = {"envelope": ENVELOPE_SCHEMA, "events": [_schema(("id", "integer", True), version=2)]}
    assert breaking_changes(old, bumped) == []
    assert breaking_changes(bumped, old) == ["Thing: version went down from 2"]
    assert breaking_changes(old, {"envelope": ENVELOPE_SCHEMA, "events": []}) == [
        "Thing v1: the event type was removed"
    ]


# --- the README ---------------------------------------------------------------------------


def test_the_readme_has_a_section_per_event_and_survives_awkward_docstrings() -> None:
    odd = {**BASE, "description": "a | b\nc"}
    blank = {**BASE, "name": "Blank", "fields": []}
    readme = render_readme({"envelope": ENVELOPE_SCHEMA, "events": [odd, blank]})
    assert "| sample | [Thing](#thing) | 1 | a \\| b c |" in readme
    assert "| sample | [Blank](#blank) | 1 | — |" in readme  # no docstring: a dash, not ""
    assert "### Thing" in readme
    assert "### Blank" in readme
    assert "No fields." in readme
    assert "| `price` | decimal (string) | no |" in readme


def test_the_real_readme_documents_every_event() -> None:
    readme = render_files()["README.md"]
    for cls in all_event_classes():
        assert f"\n### {cls.type_name()}\n" in readme
