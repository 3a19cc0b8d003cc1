"""GPU bundles: a cubin plus a manifest, built where MLIR is, run where the GPU is.

A bundle is a folder (docs/design.md, section 6):

    DIR/manifest.json   {"format": "gasync-bundle/1", "kernel": ..., "cubin": ...,
                         "grid": [x, y, z], "block": [x, y, z], "shared_mem": 0,
                         "args": [{"type": KERNEL ARG TYPE, "spec": --arg TEXT}, ...],
                         "expected": [OUTPUT LINE, ...] or null,
                         "expect_exit": 0, "timeout_s": 30, "chip": "sm_90", "source": ...,
                         "sites": [[WHAT, FUNCTION, "file:line:col"], ...]}
    DIR/<module>.cubin

`python -m gasync.runtime.bundle DIR` (or `gasync-run --bundle DIR`) runs it
and prints what gasync-run prints (`arg N: [...]`); with an expected output
it also compares. `sites` is the program's site table (runtime/abi.py's
Site), which a fault's message names its source from. Exit codes as gasync-run's (runtime/errors.py): 2 a bundle
that cannot be read, 3 the run failed (a device fault naming the kernel, a
hang, an executor failure, no GPU, or output that differs from the expected
one).

Imports only numpy, cuda.core (through launch.py) and the standard library:
never mlir.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys

from . import abi
from .args import format_outputs, parse_args, parse_type
from .errors import RunFailure, UsageError, report
from .launch import DEFAULT_TIMEOUT_S, Device, NoGpuError

FORMAT = "gasync-bundle/1"


class BundleError(UsageError):
    """A bundle that cannot be read."""


class OutputMismatch(RunFailure):
    """The kernel ran, but printed other lines than the bundle expects."""


@dataclasses.dataclass
class Bundle:
    kernel: str
    cubin: bytes
    grid: tuple[int, int, int]
    block: tuple[int, int, int]
    arg_types: list[str]
    """The kernel's argument types, as MLIR spells them."""
    arg_specs: list[str]
    """One `--arg` text per argument."""
    expected: list[str] | None = None
    expect_exit: int = 0
    shared_mem: int = 0
    timeout_s: float = DEFAULT_TIMEOUT_S
    chip: str = "sm_90"
    module: str = ""
    source: str = ""
    cubin_name: str = "kernel.cubin"
    sites: list[abi.Site] = dataclasses.field(default_factory=list)

    def manifest(self) -> dict:
        return {
            "format": FORMAT, "kernel": self.kernel, "module": self.module,
            "cubin": self.cubin_name, "chip": self.chip,
            "grid": list(self.grid), "block": list(self.block), "shared_mem": self.shared_mem,
            "args": [{"type": t, "spec": s} for t, s in zip(self.arg_types, self.arg_specs)],
            "expected": self.expected, "expect_exit": self.expect_exit,
            "timeout_s": self.timeout_s, "source": self.source,
            "sites": [site.to_json() for site in self.sites],
        }


def write_bundle(directory: str, bundle: Bundle) -> None:
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, bundle.cubin_name), "wb") as f:
        f.write(bundle.cubin)
    with open(os.path.join(directory, "manifest.json"), "w") as f:
        json.dump(bundle.manifest(), f, indent=2)
        f.write("\n")


def read_bundle(directory: str) -> Bundle:
    path = os.path.join(directory, "manifest.json")
    try:
        with open(path) as f:
            m = json.load(f)
    except OSError as e:
        raise BundleError(f"cannot read '{path}': {e.strerror}") from None
    except json.JSONDecodeError as e:
        raise BundleError(f"'{path}' is not JSON: {e}") from None
    if m.get("format") != FORMAT:
        raise BundleError(f"'{path}' is not a {FORMAT} manifest (format: {m.get('format')!r})")
    try:
        with open(os.path.join(directory, m["cubin"]), "rb") as f:
            cubin = f.read()
        return Bundle(
            kernel=m["kernel"], cubin=cubin, grid=tuple(m["grid"]), block=tuple(m["block"]),
            arg_types=[a["type"] for a in m["args"]], arg_specs=[a["spec"] for a in m["args"]],
            expected=m.get("expected"), expect_exit=int(m.get("expect_exit", 0)),
            shared_mem=int(m.get("shared_mem", 0)),
            timeout_s=float(m.get("timeout_s", DEFAULT_TIMEOUT_S)), chip=m.get("chip", "sm_90"),
            module=m.get("module", ""), source=m.get("source", ""), cubin_name=m["cubin"],
            sites=[abi.Site.from_json(entry) for entry in m.get("sites", [])])
    except OSError as e:
        raise BundleError(f"cannot read the bundle's cubin: {e.strerror}") from None
    except (KeyError, TypeError, ValueError) as e:
        raise BundleError(f"'{path}' is malformed ({type(e).__name__}: {e})") from None


def execute(bundle: Bundle, out=sys.stdout, *, device: Device | None = None) -> None:
    """Run a bundle and print its outputs; raises ArgError, GpuError (RunFailure),
    or OutputMismatch."""
    types = [parse_type(t) for t in bundle.arg_types]
    values, concrete = parse_args(types, bundle.arg_specs, f"kernel '{bundle.kernel}'")
    if device is None:
        try:
            device = Device()
        except NoGpuError as e:
            raise NoGpuError(f"cannot run kernel '{bundle.kernel}': {e}") from None
    module = device.load(bundle.cubin)
    module.launch(bundle.kernel, concrete, values, bundle.grid, bundle.block,
                  shared_mem=bundle.shared_mem, timeout_s=bundle.timeout_s, sync=True,
                  sites=bundle.sites)
    lines = format_outputs([], [], values, concrete)
    for line in lines:
        print(line, file=out)
    expected = bundle.expected
    if expected is not None and lines != list(expected):
        first = next(i for i in range(max(len(lines), len(expected)))
                     if i >= len(lines) or i >= len(expected) or lines[i] != expected[i])
        got = lines[first] if first < len(lines) else "<no line>"
        want = expected[first] if first < len(expected) else "<no line>"
        raise OutputMismatch(f"the output of kernel '{bundle.kernel}' differs from the bundle's "
                             f"expected output\n  line {first + 1}: expected '{want}', got '{got}'")


def run_bundle(directory: str) -> None:
    """`--bundle DIR`: read and run a bundle (no MLIR involved)."""
    execute(read_bundle(directory))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gasync.runtime.bundle",
        description="Run a gasync GPU bundle (made by gasync-run --emit-bundle) with no MLIR.")
    parser.add_argument("bundle", help="the bundle folder")
    args = parser.parse_args(argv)
    try:
        run_bundle(args.bundle)
    except (UsageError, RunFailure) as e:
        return report(e, "gasync-bundle")
    return 0


if __name__ == "__main__":
    sys.exit(main())
