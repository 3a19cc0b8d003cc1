"""gasync's exceptions and the one table from exception to exit code. MLIR-free.

Every tool exits with 0 (ok), 1 (the program is invalid), 2 (bad command
line, unreadable input or bundle) or 3 (the program failed while running: an
executor fault, a device fault, a hang, no GPU, output that differs from the
expected one). Functions raise; only a tool's `main` turns an exception into
its exit code, through `exit_code`.
"""

from __future__ import annotations

import os
import sys

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_RUN_FAILED = 0, 1, 2, 3


class GasyncError(Exception):
    """Base of every error a gasync tool reports and exits on."""


class InvalidProgram(GasyncError):
    """The program does not compile; its diagnostics were reported."""


class UsageError(GasyncError, ValueError):
    """A command line, argument, input file or bundle that cannot be used."""


class RunFailure(GasyncError):
    """The program compiled but failed while running."""


class RuntimeFault(RunFailure):
    """`gasync.RuntimeFault`: the program stopped with a fault while running,
    on the CPU or the GPU (an executor fault: pool overflow, watchdog,
    deadlock; a device fault: trap, illegal address, a hang). `fault` holds
    the executor's fault (runtime/faults.py's ExecutorFault) when there is one.
    `sticky`: the CUDA context is dead, and the process must end to use the
    GPU again."""

    sticky = False

    def __init__(self, message: str, fault=None):
        super().__init__(message)
        self.fault = fault


def report(error: GasyncError, prog: str, stream=None) -> int:
    """Print `error` as `PROG: error: ...` (an invalid program's diagnostics are
    already out) and return its exit code. After a device fault that ruined the
    CUDA context (`sticky`) the process ends here: the context cannot be torn
    down cleanly, and a spinning kernel dies with the process."""
    stream = stream or sys.stderr
    if not isinstance(error, InvalidProgram):
        print(f"{prog}: error: {error}", file=stream)
    code = exit_code(error)
    if getattr(error, "sticky", False):
        sys.stdout.flush()
        stream.flush()
        os._exit(code)
    return code


def exit_code(error: BaseException) -> int:
    """The exit code of a tool that stops on `error`."""
    from .faults import ExecutorFault  # an executor fault is a run failure on every target

    for kind, code in ((InvalidProgram, EXIT_INVALID), (UsageError, EXIT_USAGE),
                       (RunFailure, EXIT_RUN_FAILED), (ExecutorFault, EXIT_RUN_FAILED)):
        if isinstance(error, kind):
            return code
    raise error
