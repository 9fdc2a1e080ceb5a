"""A badge's image: an SVG medal per achievement, generated from its card.

Deterministic (the same card always gives the same bytes: no time, no randomness, no ids),
small (657-766 bytes for the nine medals), and self-contained: no external fonts, images,
stylesheets or links, so it renders the same in a wallet, a marketplace or an e-mail and
leaks no request."""

from __future__ import annotations

from xml.sax.saxutils import escape

from astratrade.badges.domain.catalogue import AchievementCard

# Emblems drawn in a 100x100 box centred on the medal; plain paths, no fonts needed.
EMBLEMS = {
    "star": "M50 14 L60 40 L88 40 L65 57 L74 84 L50 67 L26 84 L35 57 L12 40 L40 40 Z",
    "chevron": "M20 62 L50 32 L80 62 L80 78 L50 48 L20 78 Z",
    "chevrons": "M20 50 L50 20 L80 50 L80 64 L50 34 L20 64 Z M20 80 L50 50 L80 80 L80 94 "
    "L50 64 L20 94 Z",
    "flame": "M50 10 C62 30 80 42 76 66 C73 84 60 92 50 92 C40 92 27 84 24 66 C21 48 38 40 "
    "42 24 C48 36 54 40 50 10 Z",
    "crown": "M14 76 L20 30 L36 52 L50 22 L64 52 L80 30 L86 76 Z",
    "shield": "M50 10 L84 22 L80 58 C76 76 64 86 50 92 C36 86 24 76 20 58 L16 22 Z",
    "grid": "M16 16 H44 V44 H16 Z M56 16 H84 V44 H56 Z M16 56 H44 V84 H16 Z M56 56 H84 V84 H56 Z",
    "anchor": "M46 12 H54 V30 H66 V38 H54 V80 C66 78 74 70 76 60 L84 62 C80 80 66 90 50 90 "
    "C34 90 20 80 16 62 L24 60 C26 70 34 78 46 80 V38 H34 V30 H46 Z",
    "trophy": "M28 14 H72 V40 C72 54 62 62 54 64 V76 H66 V86 H34 V76 H46 V64 C38 62 28 54 "
    "28 40 Z M16 20 H28 V32 H22 V26 H16 Z M72 20 H84 V26 H78 V32 H72 Z",
}

MEDIA_TYPE = "image/svg+xml"


def badge_svg(card: AchievementCard) -> str:
    """The SVG document for the achievement's badge."""
    emblem = EMBLEMS.get(card.emblem, EMBLEMS["star"])
    name = escape(card.name)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 256 256" width="256" '
        f'height="256" role="img" aria-label="{name} badge">'
        f"<title>{name}</title>"
        f'<circle cx="128" cy="112" r="92" fill="{card.colour}" stroke="{card.accent}" '
        'stroke-width="10"/>'
        f'<circle cx="128" cy="112" r="74" fill="none" stroke="{card.accent}" '
        'stroke-width="2" stroke-dasharray="4 6"/>'
        f'<path transform="translate(78 62)" d="{emblem}" fill="{card.accent}"/>'
        f'<rect x="28" y="206" width="200" height="36" rx="18" fill="{card.colour}"/>'
        '<text x="128" y="230" text-anchor="middle" font-family="sans-serif" '
        f'font-size="16" font-weight="bold" fill="#ffffff">{name}</text>'
        "</svg>"
    )
