"""Text that every store can hold: Unicode scalar values, without NUL.

JSON's `\\ud800` escape gives Python a string with a lone surrogate, which is no Unicode
text at all: encoding it to UTF-8 fails in SQLite, PostgreSQL and argon2 alike. NUL is
Unicode, but PostgreSQL's text cannot hold it. Both are refused at the door, in every
string a request carries."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

# Lone or paired, a surrogate code point in a str is never valid text (a JSON surrogate
# pair is decoded to the one character it stands for, which is not in this range).
_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")

Path = tuple[str | int, ...]


def text_problem(value: str) -> str | None:
    """Why the string cannot be stored as text, or None when it can."""
    found = _NOT_TEXT.search(value)
    if found is None:
        return None
    char = found.group()
    what = "a NUL character" if char == "\x00" else f"a lone surrogate (U+{ord(char):04X})"
    return f"contains {what} at position {found.start()}: strings must be valid Unicode text"


def text_problems(value: Any) -> Iterator[tuple[Path, str]]:
    """Every string in a decoded JSON value (object keys included) that is not valid text,
    with where it is: ("orders", 0, "client_order_id"). Iterative: JSON nests as deep as
    the parser allows, which is as deep as Python's own recursion goes."""
    pending: list[tuple[Path, Any]] = [((), value)]
    while pending:
        path, item = pending.pop()
        if isinstance(item, str):
            problem = text_problem(item)
            if problem is not None:
                yield path, problem
        elif isinstance(item, dict):
            for key, inner in reversed(item.items()):
                key_problem = text_problem(str(key))
                if key_problem is not None:
                    yield (*path, repr(key)), f"the key {key_problem}"
                pending.append(((*path, str(key)), inner))
        elif isinstance(item, list):
            items = list(enumerate(item))
            pending.extend(((*path, index), inner) for index, inner in reversed(items))
