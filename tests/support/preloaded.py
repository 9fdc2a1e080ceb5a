"""Runs of the `astratrade` command line forked from a process that has imported the
platform already (`multiprocessing`'s forkserver, the platform preloaded once per worker).

A run in a new process spends ~3.2 s of CPU importing the platform before it does anything
(`users promote`: 4.1 s in all, a server 3.2 s before it answers); the suite makes some 160
such runs. A forked run starts with the modules imported, so it pays for what it does. The
command itself is the same: the `astratrade` entry point with the run's arguments,
environment and working directory, its output and exit status as a process's."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

_FORKS = multiprocessing.get_context("forkserver")
_FORKS.set_forkserver_preload(["astratrade.entrypoints.cli", "astratrade.bootstrap"])


def run_cli(
    args: Sequence[str], env: dict[str, str], cwd: Path, timeout: float
) -> subprocess.CompletedProcess[str]:
    """`astratrade *args`, as `subprocess.run(..., capture_output=True, text=True)` answers."""
    with tempfile.TemporaryDirectory() as scratch:
        out, err = Path(scratch, "stdout"), Path(scratch, "stderr")
        run = _fork(args, env, cwd, str(out), str(err))
        try:
            code = run.wait(timeout)
        except subprocess.TimeoutExpired:
            run.kill()
            run.wait()
            raise
        return subprocess.CompletedProcess(
            run.args,
            code,
            out.read_text(errors="replace") if out.exists() else "",
            err.read_text(errors="replace") if err.exists() else "",
        )


def start_cli(args: Sequence[str], env: dict[str, str], cwd: Path, log: Path) -> Forked:
    """`astratrade *args` started, its output appended to `log` (a server, say)."""
    return _fork(args, env, cwd, str(log), str(log))


def _fork(args: Sequence[str], env: dict[str, str], cwd: Path, out: str, err: str) -> Forked:
    run = _FORKS.Process(target=_main, args=(list(args), env, str(cwd), out, err))
    run.start()
    return Forked(run, ["astratrade", *args])


class Forked:
    """A forked run, answering as `subprocess.Popen` does (an exit by a signal is its
    negative number, as there)."""

    def __init__(self, run: multiprocessing.process.BaseProcess, args: list[str]) -> None:
        self._run = run
        self.args = args

    @property
    def pid(self) -> int:
        assert self._run.pid is not None
        return self._run.pid

    @property
    def returncode(self) -> int | None:
        return self._run.exitcode

    def poll(self) -> int | None:
        return self._run.exitcode

    def wait(self, timeout: float | None = None) -> int:
        self._run.join(timeout)
        if self._run.exitcode is None:
            raise subprocess.TimeoutExpired(self.args, timeout or 0)
        return self._run.exitcode

    def send_signal(self, sig: int) -> None:
        if self._run.exitcode is None:
            os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def _main(args: list[str], env: dict[str, str], cwd: str, out: str, err: str) -> None:
    """In the forked process: the run's environment, directory and output, then the entry
    point; its exit status becomes the process's."""
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    appending = out == err  # a log both go to, kept across restarts
    mode = os.O_APPEND if appending else os.O_TRUNC
    for stream, path in ((1, out), (2, err)):
        target = os.open(path, os.O_WRONLY | os.O_CREAT | mode, 0o600)
        os.dup2(target, stream)
        os.close(target)
    from astratrade.entrypoints.cli import app

    code: int | str | None = 0
    try:
        app(args=args, prog_name="astratrade")
    except SystemExit as exit_:
        code = exit_.code
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    if isinstance(code, str):  # sys.exit("message"): printed, status 1, as Python does
        os.write(2, f"{code}\n".encode())
        code = 1
    os._exit(code or 0)
