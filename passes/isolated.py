"""Running a step of LLVM's code generation in a child process.

LLVM reports some failures of its backends ("LLVM ERROR: Cannot select", a
failed assertion) by aborting the whole process, which no Python code can
catch: a valid-looking gpu.module whose NVVM ops need a newer PTX ISA than
its target gets aborts `gasync-run`, the fuzzers, or a user's program that
calls `gasync.compile`. So the step runs in a forked child first: the child
sends its result back through a pipe, and when it dies of a signal the
parent turns what it printed into an error instead of dying too.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import signal
import sys
import tempfile
from typing import Callable, TypeVar

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class ChildDied(Exception):
    """The child was killed by `signal_name`; `output` is what it printed on stderr."""

    signal_name: str
    output: str


@dataclasses.dataclass(frozen=True)
class ChildFailed(Exception):
    """The step raised in the child (the caller reruns it in-process for its diagnostics)."""


def run_isolated(step: Callable[[], T]) -> T:
    """`step()` run in a forked child; its (picklable) result.

    Raises ChildDied when the child dies of a signal, ChildFailed when `step`
    raised. Where fork is unavailable, runs `step` here.
    """
    if not hasattr(os, "fork"):
        return step()
    sys.stdout.flush()
    sys.stderr.flush()
    read_fd, write_fd = os.pipe()
    with tempfile.TemporaryFile() as err:
        pid = os.fork()
        if pid == 0:  # the child: never returns
            code = 1
            try:
                os.close(read_fd)
                os.dup2(err.fileno(), 2)
                payload = pickle.dumps(step())
                with os.fdopen(write_fd, "wb") as out:
                    out.write(payload)
                code = 0
            finally:
                os._exit(code)
        os.close(write_fd)
        with os.fdopen(read_fd, "rb") as inp:
            payload = inp.read()
        _, status = os.waitpid(pid, 0)
        if os.WIFSIGNALED(status):
            err.seek(0)
            output = err.read().decode(errors="replace")
            raise ChildDied(signal.Signals(os.WTERMSIG(status)).name, output)
    if os.WEXITSTATUS(status) != 0:
        raise ChildFailed()
    return pickle.loads(payload)
