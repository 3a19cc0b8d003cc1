"""Importing `gasync.runtime` where MLIR (and gasync itself) is not installed.

The GPU machine runs bundles and benchmarks with plain `python3` from a copy
of the repository: its runtime/ folder is the package's `gasync.runtime`, so
a folder holding an empty `gasync` package with runtime/ linked into it is
enough. Scripts load this file by path (it needs only the standard library).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def runtime_package_dir() -> str:
    """A new folder in which `import gasync.runtime` finds this repository's runtime/."""
    folder = tempfile.mkdtemp(prefix="gasync-host-")
    os.makedirs(os.path.join(folder, "gasync"))
    open(os.path.join(folder, "gasync", "__init__.py"), "w").close()
    os.symlink(os.path.join(ROOT, "runtime"), os.path.join(folder, "gasync", "runtime"))
    return folder


def import_runtime_here() -> None:
    """Make `gasync.runtime` importable in this process (first on sys.path, so
    that the repository root's own `gasync/` does not shadow it)."""
    sys.path.insert(0, runtime_package_dir())


def gpu_description() -> str:
    """The GPU's name and driver version as nvidia-smi gives them, for result records."""
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version",
                              "--format=csv,noheader"], capture_output=True, text=True, timeout=30)
        return out.stdout.strip() or "unknown GPU"
    except Exception:  # noqa: BLE001  (no nvidia-smi, or it failed: the record says so)
        return "unknown GPU"


def recorded_command(script: str, out: str) -> str:
    """This process's command line for a results record, its output folder
    written as $OUT: committed records name no machine's paths."""
    return " ".join(["python3", script] + [arg.replace(out, "$OUT") for arg in sys.argv[1:]])
