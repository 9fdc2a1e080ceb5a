"""What every benchmark's entry point does: pick the loop, a temp dir, the --strict exit."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

Run = Callable[[argparse.Namespace, Path], Coroutine[Any, Any, bool]]


def run_on_loop(coroutine: Coroutine[Any, Any, bool]) -> bool:
    """uvloop when installed, the loop `astratrade serve` runs the engine on (uvicorn "auto")."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def main(run: Run, args: argparse.Namespace, temp_prefix: str) -> None:
    """Run the benchmark in a temp dir of its own; with --strict, exit 1 on a FAIL."""
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix=temp_prefix) as tmp:
        passed = run_on_loop(run(args, Path(tmp)))
    if args.strict and not passed:
        sys.exit(1)
