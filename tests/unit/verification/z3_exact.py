"""Exact arithmetic for the restated money rules: Z3 terms over the reals, with floor (Z3's
`ToInt`) for every rounding to a grid, so a restated rule is one term that Z3 can reason
about for all inputs and can also evaluate on concrete values (`value_of`), which is how
the restatement is compared with the code (test_restatements_match_the_code.py).

Decimal's roundings, for the signs they meet in the money rules (prices and sizes are
rounded only when positive):
ROUND_DOWN (toward zero) is `toward_zero`, ROUND_UP (away from zero) `away_from_zero`,
ROUND_HALF_EVEN at 6 places `money`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import z3

Term = z3.ArithRef
Number = Term | Decimal | int | Fraction

MICRO = Fraction(1, 10**6)


def exact(number: Number) -> Term:
    """A Decimal, int or Fraction as an exact Z3 rational; a term as itself."""
    if isinstance(number, z3.ArithRef):
        return number
    ratio = Fraction(number)
    return z3.RealVal(f"{ratio.numerator}/{ratio.denominator}")


def value_of(term: Term) -> Fraction:
    """A term without unknowns, evaluated exactly."""
    result = z3.simplify(term)
    if z3.is_int_value(result):
        return Fraction(result.as_long())
    if z3.is_rational_value(result):
        return Fraction(result.numerator_as_long(), result.denominator_as_long())
    raise ValueError(f"not a concrete value: {result}")


def minimum(a: Number, b: Number) -> Term:
    return z3.If(exact(a) <= exact(b), exact(a), exact(b))


def maximum(a: Number, b: Number) -> Term:
    return z3.If(exact(a) >= exact(b), exact(a), exact(b))


def absolute(a: Number) -> Term:
    return z3.If(exact(a) >= 0, exact(a), -exact(a))


def floor_units(x: Number, quantum: Number) -> Term:
    """floor(x / quantum), a whole number as a real."""
    return z3.ToReal(z3.ToInt(exact(x) / exact(quantum)))


def toward_zero(x: Number, quantum: Number) -> Term:
    """A multiple of quantum, rounded toward zero (Decimal's ROUND_DOWN), for x >= 0: every
    use here rounds a price or size, never negative. (Written with a branch on the sign,
    the same rounding leaves Z3 undecided; see docs/verification.md.)"""
    return floor_units(x, quantum) * exact(quantum)


def away_from_zero(x: Number, quantum: Number) -> Term:
    """A multiple of quantum, rounded away from zero (Decimal's ROUND_UP), for x >= 0."""
    return -floor_units(-exact(x), quantum) * exact(quantum)


def money(x: Number) -> Term:
    """Round to 6 decimals, half to even (shared.money.money)."""
    scaled = exact(x) * 10**6
    low = z3.ToInt(scaled)
    above = scaled - z3.ToReal(low)
    half = exact(Fraction(1, 2))
    units = z3.If(
        above > half, low + 1, z3.If(above < half, low, z3.If(low % 2 == 0, low, low + 1))
    )
    return z3.ToReal(units) / 10**6


def on_grid(x: Term, quantum: Number) -> z3.BoolRef:
    """x is a whole multiple of quantum."""
    units = x / exact(quantum)
    return units == z3.ToReal(z3.ToInt(units))  # Z3 decides this form better than IsInt


@dataclass(frozen=True)
class Verdict:
    proven: bool
    counterexample: str  # the model refuting the claim, when there is one
    seconds: float


def prove(bounds: Sequence[z3.BoolRef], claim: z3.BoolRef, timeout_ms: int = 5000) -> Verdict:
    """Search every input within the bounds for one that breaks the claim: none (unsat)
    is a proof; a model is a counterexample; unknown (timeout) is neither and fails."""
    solver = z3.Solver()
    solver.set(timeout=timeout_ms)
    # Simplified first: a grid's scaling (x * step / step) cancels, which Z3's arithmetic
    # needs to decide the roundings quickly.
    solver.add(*(z3.simplify(b) for b in bounds))
    solver.add(z3.simplify(z3.Not(claim)))
    started = time.perf_counter()
    answer = solver.check()
    seconds = time.perf_counter() - started
    if answer == z3.unknown:
        raise AssertionError(f"Z3 could not decide ({solver.reason_unknown()}) in {seconds:.2f}s")
    model = str(solver.model()) if answer == z3.sat else ""
    return Verdict(answer == z3.unsat, model, seconds)
