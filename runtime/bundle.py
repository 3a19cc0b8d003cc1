"""GPU bundles: a cubin plus a manifest, built where MLIR is, run where the GPU is.

A bundle is a folder (DESIGN.md section 6):

    DIR/manifest.json   {"format": "gasync-bundle/1", "kernel": ..., "cubin": ...,
                         "grid": [x, y, z], "block": [x, y, z], "shared_mem": 0,
                         "args": [{"type": KERNEL ARG TYPE, "spec": --arg TEXT}, ...],
                         "expected": [OUTPUT LINE, ...] or null,
                         "expect_exit": 0, "timeout_s": 30, "chip": "sm_90", "source": ...}
    DIR/<module>.cubin

`python -m gasync.runtime.bundle DIR` runs it and prints what gasync-run
prints (`arg N: [...]`); with an expected output it also compares. Exit
codes as gasync-run's (DESIGN.md section 5): 0 ok, 2 a bundle that cannot be
read, 3 the run failed (a device fault naming the kernel, a hang, an
executor failure, no GPU, or output that differs from the expected one).

Imports only numpy, cuda.bindings (through launch.py) and the standard
library: never mlir.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys

from . import args as argspec
from .launch import (ArgLayout, ArgumentError, DEFAULT_TIMEOUT_S, Device, DeviceFault, GpuError,
                     LaunchError, NoGpuError, hard_exit, parse_layout)

FORMAT = "gasync-bundle/1"
EXIT_OK, EXIT_BAD_BUNDLE, EXIT_RUN_FAILED = 0, 2, 3


class BundleError(ValueError):
    """A bundle that cannot be read or whose arguments do not fit its kernel."""


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

    def manifest(self) -> dict:
        return {
            "format": FORMAT, "kernel": self.kernel, "module": self.module,
            "cubin": self.cubin_name, "chip": self.chip,
            "grid": list(self.grid), "block": list(self.block), "shared_mem": self.shared_mem,
            "args": [{"type": t, "spec": s} for t, s in zip(self.arg_types, self.arg_specs)],
            "expected": self.expected, "expect_exit": self.expect_exit,
            "timeout_s": self.timeout_s, "source": self.source,
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
            module=m.get("module", ""), source=m.get("source", ""), cubin_name=m["cubin"])
    except OSError as e:
        raise BundleError(f"cannot read the bundle's cubin: {e.strerror}") from None
    except (KeyError, TypeError, ValueError) as e:
        raise BundleError(f"'{path}' is malformed ({type(e).__name__}: {e})") from None


def resolve_args(arg_types: list[str], arg_specs: list[str]):
    """Layouts, host values (numpy) and printable TypeSpecs for the `--arg` texts.

    A memref argument of dynamic shape (`memref<?x6xi32>`) takes its shape
    from the spec, which must then name the type (`memref<4x6xi32>=...`).
    Raises argspec.ArgError or ArgumentError.
    """
    layouts = [parse_layout(t) for t in arg_types]
    if len(arg_specs) != len(layouts):
        raise argspec.ArgError(f"the kernel takes {len(layouts)} argument(s) "
                               f"({', '.join(arg_types) or 'none'}), {len(arg_specs)} given")
    values, specs = [], []
    for i, (layout, text) in enumerate(zip(layouts, arg_specs)):
        spec = _concrete_spec(layout, text, i)
        values.append(argspec.parse_arg(text, spec, i))
        specs.append(spec)
    return layouts, values, specs


def _concrete_spec(layout: ArgLayout, text: str, index: int) -> argspec.TypeSpec:
    if not layout.is_memref:
        return argspec.TypeSpec(layout.element)
    if all(d is not None for d in layout.shape):
        return argspec.TypeSpec(layout.element, tuple(layout.shape))
    type_text = text.partition("=")[0].strip()
    if not type_text.startswith("memref"):
        raise argspec.ArgError(f"argument {index} is a {layout.text}: its spec must give the "
                               f"shape, e.g. 'memref<"
                               + "x".join("4" if d is None else str(d) for d in layout.shape)
                               + f"x{layout.element}>'")
    given = argspec.parse_type(type_text)
    if (given.element != layout.element or len(given.shape) != len(layout.shape)
            or any(d is not None and d != g for d, g in zip(layout.shape, given.shape))):
        raise argspec.ArgError(f"argument {index} has type {layout.text}, but the spec says "
                               f"{given}")
    return given


def execute(bundle: Bundle, out=sys.stdout, err=sys.stderr, *, prog: str = "gasync-run",
            device: Device | None = None) -> int:
    """Run a bundle, print the outputs; the exit code. After a device fault or a
    hang the process exits at once (hard_exit): the CUDA context is lost."""
    try:
        layouts, values, specs = resolve_args(bundle.arg_types, bundle.arg_specs)
    except (argspec.ArgError, ArgumentError) as e:
        print(f"{prog}: error: {e}", file=err)
        return EXIT_BAD_BUNDLE
    try:
        device = device or Device()
        module = device.load(bundle.cubin)
        module.launch(bundle.kernel, layouts, values, bundle.grid, bundle.block,
                      shared_mem=bundle.shared_mem, timeout_s=bundle.timeout_s)
    except NoGpuError as e:
        print(f"{prog}: error: cannot run kernel '{bundle.kernel}': {e}", file=err)
        return EXIT_RUN_FAILED
    except DeviceFault as e:
        print(f"{prog}: error: {e}", file=err)
        if e.sticky:
            hard_exit(EXIT_RUN_FAILED)
        return EXIT_RUN_FAILED
    except (LaunchError, ArgumentError, GpuError) as e:
        print(f"{prog}: error: {e}", file=err)
        return EXIT_RUN_FAILED
    lines = argspec.format_outputs([], [], values, specs)
    for line in lines:
        print(line, file=out)
    if bundle.expected is not None and lines != list(bundle.expected):
        print(f"{prog}: error: the output of kernel '{bundle.kernel}' differs from the "
              "bundle's expected output", file=err)
        expected = list(bundle.expected)
        for i in range(max(len(lines), len(expected))):
            got = lines[i] if i < len(lines) else "<no line>"
            want = expected[i] if i < len(expected) else "<no line>"
            if got != want:
                print(f"  line {i + 1}: expected '{want}', got '{got}'", file=err)
                break
        return EXIT_RUN_FAILED
    return EXIT_OK


def run_bundle(directory: str, *, prog: str = "gasync-run") -> int:
    """`--bundle DIR` / `python -m gasync.runtime.bundle DIR`: the exit code."""
    try:
        bundle = read_bundle(directory)
    except BundleError as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return EXIT_BAD_BUNDLE
    return execute(bundle, prog=prog)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gasync.runtime.bundle",
        description="Run a gasync GPU bundle (made by gasync-run --emit-bundle) with no MLIR.")
    parser.add_argument("bundle", help="the bundle folder")
    args = parser.parse_args(argv)
    return run_bundle(args.bundle, prog="gasync-bundle")


if __name__ == "__main__":
    sys.exit(main())
