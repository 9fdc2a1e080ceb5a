"""Fewer Hypothesis examples while mutation testing (`make mutate`, docs/verification.md).

mutmut runs the unit tests that reach a mutated function once per mutant, thousands of
times, and a surviving mutant runs all of them: at the full example counts (300 runs of the
reference model's state machine alone take 10 s) the money domains would take hours. With
ASTRATRADE_MUTATION_EXAMPLES=N set (`make mutate` sets it) every Hypothesis test and state
machine runs at most N examples, derandomized so that a mutant's verdict does not depend on
the seed, and a failing example is not shrunk. A mutant that survives N examples might die at
the full count, so the scores are a lower bound. Without the variable nothing changes.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import Phase, settings


def _capped(current: settings, cap: int) -> settings:
    # No shrinking: a mutant needs one failing example, not the smallest one.
    return settings(
        current,
        max_examples=min(current.max_examples, cap),
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    cap = os.environ.get("ASTRATRADE_MUTATION_EXAMPLES")
    if not cap:
        return
    for item in items:
        test = getattr(item, "obj", None)
        test = getattr(test, "__func__", test)  # a method's function carries the settings
        if getattr(test, "_hypothesis_internal_use_settings", None) is not None:
            test._hypothesis_internal_use_settings = _capped(  # type: ignore[union-attr]
                test._hypothesis_internal_use_settings,  # type: ignore[union-attr]
                int(cap),
            )
        machine_case = getattr(item, "cls", None)
        if machine_case is not None and isinstance(
            getattr(machine_case, "settings", None), settings
        ):
            machine_case.settings = _capped(machine_case.settings, int(cap))
