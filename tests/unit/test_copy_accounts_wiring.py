"""Trading's in-process answer to copy trading's read, whatever its Python shape: the
contract's JSON-like mapping, or an object with `mark` and `accounts`."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from astratrade.copy_accounts import as_states

STATE = {
    "equity": Decimal(1000),
    "available": Decimal(900),
    "collateral": Decimal(1000),
    "position": Decimal("0.1"),
    "unlocked_leverage": Decimal(10),
}


def test_a_mapping_and_an_object_read_alike() -> None:
    as_mapping = as_states({"mark": "60000", "accounts": {"a1": STATE}})
    as_object = as_states(
        SimpleNamespace(mark=Decimal(60000), accounts={"a1": SimpleNamespace(**STATE)})
    )
    assert as_mapping == as_object
    assert as_object.accounts["a1"].available == Decimal(900)
