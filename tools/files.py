"""The tools' input and output: a file or the standard streams. MLIR-free, so
that `gasync-run --bundle` can write its output where MLIR is not installed.

Reading fails with OSError (a closed stdin is EBADF). Writing fails with
OutputError, after which the standard output is pointed at /dev/null: what is
left in its buffer could not be written, and Python would otherwise try again
at exit and print "Exception ignored" noise. A reader that went away (a
broken pipe, as in `gasync-opt f | head -1`) is `broken_pipe`: the tools stop
quietly then, as other command-line tools do.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys

from gasync.runtime.errors import UsageError


class OutputError(UsageError):
    """Output that cannot be written."""

    def __init__(self, message: str, broken_pipe: bool = False):
        super().__init__(message)
        self.broken_pipe = broken_pipe


def read_input(path: str) -> tuple[str, bytes]:
    """(name for diagnostics, contents) of a file, or of stdin for '-'."""
    if path != "-":
        with open(path, "rb") as f:
            return path, f.read()
    if sys.stdin is None:  # started with stdin closed (`<&-`)
        raise OSError(errno.EBADF, "it is closed")
    return "<stdin>", sys.stdin.buffer.read()


def write_output(out: str, data: str | bytes) -> None:
    """Write `data` to the file `out`, or to stdout for '-', and flush it."""
    try:
        if out != "-":
            with open(out, "w" if isinstance(data, str) else "wb") as f:
                f.write(data)
            return
        if sys.stdout is None:  # started with stdout closed (`>&-`)
            raise OSError(errno.EBADF, "it is closed")
        if isinstance(data, str):
            sys.stdout.write(data)
        else:
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
        sys.stdout.flush()
    except OSError as e:
        if out == "-":
            _silence_stdout()
        where = "to the standard output" if out == "-" else f"'{out}'"
        raise OutputError(f"cannot write {where}: {e.strerror or e}",
                          broken_pipe=isinstance(e, BrokenPipeError)) from None


def write_graph(out: str, dot_text: str) -> None:
    """Write Graphviz dot to `out` (stdout for '-'); an `out` that ends in .svg
    gets the SVG that Graphviz's `dot` renders (OutputError without it)."""
    if not out.lower().endswith(".svg"):
        write_output(out, dot_text)
        return
    dot = shutil.which("dot")
    if dot is None:
        raise OutputError(f"cannot write '{out}': an SVG needs Graphviz's 'dot' on PATH "
                          "(install graphviz, or write the dot text with -o FILE.dot)")
    rendered = subprocess.run([dot, "-Tsvg"], input=dot_text.encode(), capture_output=True)
    if rendered.returncode != 0:
        raise OutputError(f"cannot write '{out}': Graphviz's dot failed: "
                          f"{rendered.stderr.decode(errors='replace').strip()}")
    write_output(out, rendered.stdout)


def flush_stdout() -> None:
    """Flush what was printed to stdout; OutputError if it cannot be written."""
    if sys.stdout is not None:
        write_output("-", "")


def _silence_stdout() -> None:
    if sys.stdout is None:
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no file descriptor to point elsewhere
        pass
