"""Event schemas: what a consumer in another context may rely on in an envelope's payload.

A schema is plain JSON-ready data generated from an Event dataclass, so it can be committed
(docs/events/schemas.json) and compared with what the classes say later. `required: false`
means the value may be null; every field is always present in the payload."""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from astratrade.shared.messages import Envelope, Event

Schema = dict[str, Any]

# Type names as a consumer sees them in the JSON payload (see messages.to_json_value).
_SCALARS: dict[object, str] = {
    str: "string",
    int: "integer",
    bool: "boolean",
    float: "number",
    Decimal: "decimal (string)",
    datetime: "datetime (ISO 8601 string)",
    Any: "any",
}


def schema_of(event_class: type[Event]) -> Schema:
    """The versioned schema of one event class: name, context, version, description, fields."""
    return {
        "name": event_class.type_name(),
        "context": event_class.context,
        "version": event_class.schema_version,
        "description": description_of(event_class),
        "fields": _fields_of(event_class),
    }


def description_of(cls: type) -> str:
    """The first paragraph of the class's own docstring, on one line; "" when it has none."""
    doc = cls.__dict__.get("__doc__") or ""
    # @dataclass fills a missing docstring with the signature, "Name(*, a: str, ...)":
    # that is not a description, and it would churn the docs with every field change.
    if doc.startswith(f"{cls.__name__}("):
        return ""
    paragraph = doc.strip().split("\n\n", 1)[0]
    return " ".join(paragraph.split())


def _fields_of(cls: type, only: tuple[str, ...] | None = None) -> list[Schema]:
    hints = typing.get_type_hints(cls)  # resolves `from __future__ import annotations`
    fields = {f.name: f for f in dataclasses.fields(cls)}
    out: list[Schema] = []
    for name in only if only is not None else tuple(fields):
        type_name, required = _describe(hints[name], where=f"{cls.__name__}.{name}")
        entry: Schema = {"name": name, "type": type_name, "required": required}
        if description := fields[name].metadata.get("description"):
            entry["description"] = str(description)
        out.append(entry)
    return out


def _describe(annotation: object, where: str) -> tuple[str, bool]:
    """(type name, required): a top-level `X | None` is X, not required."""
    args = typing.get_args(annotation)
    if _is_union(annotation) and type(None) in args:
        rest = [arg for arg in args if arg is not type(None)]
        return " or ".join(_type_name(arg, where) for arg in rest), False
    return _type_name(annotation, where), True


def _type_name(annotation: object, where: str) -> str:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation in _SCALARS:
        return _SCALARS[annotation]
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return _one_of([member.value for member in annotation])
    if origin is typing.Literal:
        return _one_of(list(args))
    if _is_union(annotation):
        return " or ".join("null" if a is type(None) else _type_name(a, where) for a in args)
    if origin is list or (origin is tuple and len(args) == 2 and args[1] is Ellipsis):
        return f"array of {_type_name(args[0], where)}"
    if origin is dict:
        return "object" if args[1] is Any else f"object of {_type_name(args[1], where)}"
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        inner = ", ".join(
            f"{f['name']}{'' if f['required'] else '?'}: {f['type']}"
            for f in _fields_of(annotation)
        )
        return f"object {{{inner}}}"
    # Refusing beats guessing: an unknown type would publish a schema nobody can read.
    raise TypeError(f"{where}: no schema type for {annotation!r}; add it to shared/schemas.py")


def _is_union(annotation: object) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


def _one_of(values: list[Any]) -> str:
    kinds = {_SCALARS.get(type(value), "value") for value in values}
    kind = kinds.pop() if len(kinds) == 1 else "value"
    return f"{kind} (one of: {', '.join(str(value) for value in values)})"


_ENVELOPE_FIELDS = {
    "event_id": "unique id of this event; consumers deduplicate on it",
    "type": "the event's type name, e.g. OrderFilled; consumers subscribe by it",
    "version": "the schema version of the payload",
    "context": "the bounded context that published the event",
    "aggregate_id": "id of the aggregate the event happened to",
    "aggregate_version": "the aggregate's version after this event (1, 2, ... per aggregate)",
    "occurred_at": "when the change was committed",
    "correlation_id": "id shared by every message of one request or workflow",
    "causation_id": "id of the message (command or event) that caused this one",
    "payload": "the event's fields, as described by the schema of its type and version",
}

ENVELOPE_SCHEMA: Schema = {
    "name": "Envelope",
    "version": 1,
    "description": description_of(Envelope),
    # outbox_id is the store's delivery bookkeeping, never part of what consumers receive.
    "fields": [
        {**field, "description": _ENVELOPE_FIELDS[field["name"]]}
        for field in _fields_of(Envelope, only=tuple(_ENVELOPE_FIELDS))
    ],
}


def compatible(old: Schema, new: Schema) -> list[str]:
    """Why `new` cannot be published under the same name and version as `old` ([] if it can).

    Breaking: a field removed, its type changed, it became required or optional (nullable),
    or a required field added. Events already stored lack new fields, and consumers of the
    version read every old field and may not expect null. Adding an optional field is fine."""
    if (old["name"], old["version"]) != (new["name"], new["version"]):
        raise ValueError(
            f"compare one name and version: {old['name']} v{old['version']} "
            f"vs {new['name']} v{new['version']}"
        )
    label = f"{new['name']} v{new['version']}"
    before = {f["name"]: f for f in old["fields"]}
    after = {f["name"]: f for f in new["fields"]}
    problems: list[str] = []
    for name, was in before.items():
        now = after.get(name)
        if now is None:
            problems.append(f"{label}: field {name!r} was removed")
            continue
        if now["type"] != was["type"]:
            problems.append(
                f"{label}: field {name!r} changed type from {was['type']!r} to {now['type']!r}"
            )
        if now["required"] and not was["required"]:
            problems.append(f"{label}: field {name!r} became required")
        if was["required"] and not now["required"]:
            problems.append(f"{label}: field {name!r} became optional (may now be null)")
    for name, now in after.items():
        if name not in before and now["required"]:
            problems.append(f"{label}: required field {name!r} was added")
    return problems


def breaking_changes(old_catalog: Schema, new_catalog: Schema) -> list[str]:
    """Why `new_catalog` would break consumers of `old_catalog` ([] if it would not).

    Each catalog is {"envelope": schema, "events": [schema, ...]}. A schema whose version
    went up may change freely (it is a new schema); one whose version stayed must be
    `compatible`; an event type that disappeared or went down a version breaks subscribers."""
    problems: list[str] = []
    now_by_name = {schema["name"]: schema for schema in new_catalog["events"]}
    pairs = [(old_catalog["envelope"], new_catalog["envelope"])]
    for was in old_catalog["events"]:
        now = now_by_name.get(was["name"])
        if now is None:
            problems.append(f"{was['name']} v{was['version']}: the event type was removed")
        else:
            pairs.append((was, now))
    for was, now in pairs:
        if now["version"] == was["version"]:
            problems += compatible(was, now)
        elif now["version"] < was["version"]:
            problems.append(f"{now['name']}: version went down from {was['version']}")
    return problems
