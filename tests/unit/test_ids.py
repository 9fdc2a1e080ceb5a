"""Ids: random version-4 UUIDs, written as Python's uuid module writes them."""

import uuid

from astratrade.shared.ids import new_id


def test_every_id_is_a_random_uuid_written_canonically() -> None:
    ids = [new_id() for _ in range(20_000)]
    for text in ids:
        parsed = uuid.UUID(text)
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
        assert str(parsed) == text  # lower case, dashes where uuid puts them
    assert len(set(ids)) == len(ids)


def test_the_variant_digit_takes_each_of_its_four_values() -> None:
    """Every random bit is used: the variant digit (two random bits) varies."""
    assert {new_id()[19] for _ in range(2_000)} == set("89ab")
