"""Text as people write it: plain, length-checked, stored exactly as given (it is shown as
text, never rendered as HTML, so markup and links stay characters), with the market tags
(`$BTC`) it names among the markets listed."""

from __future__ import annotations

import re
from collections.abc import Iterable

from astratrade.shared.errors import ValidationFailed

# Control characters break the layout of a one-line name; a bio or a post may hold line
# breaks and tabs. NUL and lone surrogates are refused at the door (shared/text.py).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAKS = re.compile("[\t\n\r]")
# `$BTC`, `$eth`, `$BTC-USD`: a `$` not inside a word or another tag, 2-10 letters and
# digits, then maybe the quote currency.
_TAG = re.compile(r"(?<![\w$])\$([A-Za-z][A-Za-z0-9]{1,9})(?:-USD)?(?![\w-])", re.IGNORECASE)


def checked_text(
    field: str, value: str, most: int, *, multiline: bool = True, required: bool = True
) -> str:
    """`value` as given, once it is at most `most` characters, not blank (when required)
    and free of control characters (line breaks too, unless `multiline`)."""
    if len(value) > most:
        raise ValidationFailed(field, f"{field} is {len(value)} characters, at most {most}")
    if required and not value.strip():
        raise ValidationFailed(field, f"{field} must not be blank")
    found = _CONTROL.search(value) or (None if multiline else _LINE_BREAKS.search(value))
    if found is not None:
        raise ValidationFailed(
            field,
            f"{field} contains the control character U+{ord(found.group()):04X} "
            f"at position {found.start()}",
        )
    return value


def market_tags(text: str, listed: Iterable[str]) -> tuple[str, ...]:
    """The listed markets the text tags, in order of first mention, once each: `$BTC`
    names BTC-USD when BTC-USD is listed; a tag of no listed market stays plain text."""
    by_symbol = {market.split("-", 1)[0].upper(): market for market in listed}
    found: dict[str, None] = {}
    for match in _TAG.finditer(text):
        market = by_symbol.get(match.group(1).upper())
        if market is not None:
            found[market] = None
    return tuple(found)
