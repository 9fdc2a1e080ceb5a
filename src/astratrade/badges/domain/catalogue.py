"""How each of gamification's achievements is shown as a badge: its name, what it says,
the criteria a verifier reads, its colours and emblem.

Gamification decides when an achievement is unlocked (SPEC section 6); this table only
presents it. `status_index` is the badge's place in its holder's revocation list
(credentials carry it), so entries are only ever appended, never reordered."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

SPARE_SLOTS_FROM = 1024


@dataclass(frozen=True, slots=True)
class AchievementCard:
    achievement: str
    name: str
    description: str
    criteria: str  # the narrative a verifier shows: what earned it
    colour: str  # the medal's main colour
    accent: str  # its rim and emblem
    emblem: str  # one of image.EMBLEMS
    status_index: int


def _card(index: int, *fields: str) -> AchievementCard:
    achievement, name, description, criteria, colour, accent, emblem = fields
    return AchievementCard(achievement, name, description, criteria, colour, accent, emblem, index)


_CARDS = (
    ("FIRST_TRADE", "First Trade", "Closed a first position.",
     "Close one position.", "#2e7d32", "#a5d6a7", "star"),
    ("TRADER_NOVICE", "Trader Novice", "Closed 10 positions.",
     "Close 10 positions.", "#1565c0", "#90caf9", "chevron"),
    ("TRADER_EXPERT", "Trader Expert", "Closed 100 positions.",
     "Close 100 positions.", "#4527a0", "#b39ddb", "chevrons"),
    ("WEEK_WARRIOR", "Week Warrior", "Traded with discipline 7 days in a row.",
     "Reach a streak of 7 consecutive UTC days, each with at least one XP-earning close.",
     "#e65100", "#ffcc80", "flame"),
    ("PROFIT_MASTER", "Profit Master", "Won at least 70% of the last 20 closes.",
     "Have at least 70% winners over the last 20 closes, with at least 10 closes.",
     "#f9a825", "#fff59d", "crown"),
    ("RISK_MANAGER", "Risk Manager", "Protected 20 closes in a row with a stop-loss.",
     "Close 20 consecutive positions, each protected by a stop-loss order.",
     "#00695c", "#80cbc4", "shield"),
    ("DIVERSIFIER", "Diversifier", "Closed positions in 3 different markets.",
     "Close positions in 3 different markets.", "#6a1b9a", "#ce93d8", "grid"),
    ("SURVIVOR", "Survivor", "Traded 30 days without a liquidation.",
     "Trade for 30 days after the first trade with no liquidation, and close 20 positions.",
     "#37474f", "#b0bec5", "anchor"),
    ("TOURNAMENT_PODIUM", "Tournament Podium", "Finished in the top 3 of a tournament.",
     "Finish in the top 3 of a finished tournament.", "#b71c1c", "#ffd54f", "trophy"),
)  # fmt: skip

CATALOGUE: dict[str, AchievementCard] = {
    fields[0]: _card(index, *fields) for index, fields in enumerate(_CARDS)
}


def card_of(achievement: str) -> AchievementCard:
    """The achievement's card; one the catalogue does not know yet (gamification added it
    first) is shown by its id, and takes no revocation slot of a known one."""
    known = CATALOGUE.get(achievement)
    if known is not None:
        return known
    name = achievement.replace("_", " ").title()
    return AchievementCard(
        achievement,
        name,
        f"Unlocked the {name} achievement.",
        f"Unlock {name}.",
        "#455a64",
        "#cfd8dc",
        "star",
        _spare_slot(achievement),
    )


def _spare_slot(achievement: str) -> int:
    # Deterministic, past every catalogued slot (kept under 1024), and spread by a hash so
    # two uncatalogued achievements hardly ever share one; cataloguing it fixes its slot.
    return SPARE_SLOTS_FROM + int(hashlib.sha256(achievement.encode()).hexdigest(), 16) % 100_000
