"""Mutation scores of the money domains from mutmut's results in mutants/ (`make mutate`).

    python -m bench.mutation_report [PACKAGE ...]          # scores; survivors in var/
    python -m bench.mutation_report --run [PACKAGE ...]    # run mutmut first, then score

Per package (trading, financial, gamification, copytrading: their `domain` folder) it counts
killed, survived, timeout, no tests and not yet checked, and the score: mutants detected
(killed or timed out) over the mutants that are not listed as equivalent in
bench/mutation_equivalents.txt. The table and the survivors' names go to
var/mutation-report.txt.

`--run` is incremental: it hands `mutmut run` only the package's mutants not yet known
detected (survivors, no tests, not checked; the whole package the first time), so new tests
are tried on the survivors and killed mutants are not run again. A killed mutant stays
killed until its function changes; mutmut then makes new mutants for it, which a second
pass runs. One mutant at a time unless `--children` says more: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

PACKAGES = ("trading", "financial", "gamification", "copytrading")
MUTANTS = Path("mutants/src/astratrade")
EQUIVALENTS = Path(__file__).with_name("mutation_equivalents.txt")
REPORT = Path("var/mutation-report.txt")
DETECTED = {"killed", "timeout", "caught by type check"}


def results(package: str) -> dict[str, str]:
    """Each mutant of the package's domain with its status ("killed", "survived", ...)."""
    statuses: dict[str, str] = {}
    for meta in sorted((MUTANTS / package / "domain").glob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        statuses.update({name: status_by_exit_code[code] for name, code in codes.items()})
    return statuses


def equivalents() -> set[str]:
    """Mutant names listed as equivalent: one a line, `#` starts a comment."""
    if not EQUIVALENTS.exists():
        return set()
    lines = (line.partition("#")[0].strip() for line in EQUIVALENTS.read_text().splitlines())
    return {line for line in lines if line}


def report(packages: list[str]) -> str:
    equivalent = equivalents()
    header = (
        f"{'package':<13}{'mutants':>8}{'killed':>8}{'survived':>9}{'timeout':>8}"
        f"{'no tests':>9}{'unchecked':>10}{'equivalent':>11}{'score':>8}"
    )
    rows, survivors = [header], []
    for package in packages:
        statuses = results(package)
        counts = Counter(statuses.values())
        live = [n for n, s in statuses.items() if s not in DETECTED and n not in equivalent]
        survivors += sorted(n for n in live if statuses[n] in {"survived", "no tests"})
        detected = sum(counts[s] for s in DETECTED)
        judged = detected + len([n for n in live if statuses[n] != "not checked"])
        score = f"{100 * detected / judged:.1f}%" if judged else "-"
        rows.append(
            f"{package:<13}{len(statuses):>8}{counts['killed']:>8}{counts['survived']:>9}"
            f"{counts['timeout']:>8}{counts['no tests']:>9}{counts['not checked']:>10}"
            f"{len(equivalent & statuses.keys()):>11}{score:>8}"
        )
    rows += ["", "score: killed or timed out, over the mutants not listed as equivalent", ""]
    rows += ["survivors and mutants no test reaches (not listed as equivalent):"]
    rows += [f"  {name}" for name in survivors] or ["  none"]
    return "\n".join(rows) + "\n"


def pending(package: str, only_unchecked: bool = False) -> list[str]:
    statuses = results(package)
    if not statuses:  # never run: mutmut makes the package's mutants and runs them all
        return [f"astratrade.{package}.domain.*"]
    skip = DETECTED | ({"survived", "no tests"} if only_unchecked else set())
    equivalent = equivalents()
    return sorted(n for n, s in statuses.items() if s not in skip and n not in equivalent)


def run(package: str, children: int) -> None:
    mutmut = [str(Path(sys.executable).with_name("mutmut")), "run", "--max-children", str(children)]
    names = pending(package)
    if names:
        subprocess.run([*mutmut, *names], check=True)
    unchecked = pending(package, only_unchecked=True)  # functions changed since the last run
    if unchecked:
        subprocess.run([*mutmut, *unchecked], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="*", metavar="PACKAGE", help=", ".join(PACKAGES))
    parser.add_argument("--run", action="store_true", help="run mutmut on what is pending")
    parser.add_argument("--children", type=int, default=1, help="mutants run at once (1)")
    args = parser.parse_args()
    packages = args.packages or list(PACKAGES)
    if unknown := set(packages) - set(PACKAGES):
        parser.error(f"unknown package {', '.join(sorted(unknown))}: one of {', '.join(PACKAGES)}")
    if args.run:
        for package in packages:
            run(package, args.children)
    text = report(packages)
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(text)
    print(text, end="")
    print(f"(written to {REPORT})")


if __name__ == "__main__":
    main()
