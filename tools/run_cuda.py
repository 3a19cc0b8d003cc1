"""gasync-run's GPU side: `--target cuda`, `--emit-bundle DIR`, `--bundle DIR`, `--emit=STAGE`.

gasync-run (tools/run.py) parses the command line and calls these functions
with parsed values; each returns the exit code (DESIGN.md section 5: 0 ok,
1 the program is invalid, 2 bad command line, 3 the run failed). Grids and
blocks are tuples of 1 to 3 positive ints; `arg_specs` are the raw `--arg`
texts; `links` are the `--link` paths.

`python -m gasync.tools.run_cuda` is a stand-alone driver with the same flags
(used by the lit tests of test/GPU).
"""

from __future__ import annotations

import argparse
import os
import sys

from mlir import ir

from gasync.dialect.context import prepare_context
from gasync.dialect.diagnostics import DiagnosticEngine
from gasync.passes import PassContext
from gasync.pipeline.cubin import LinkError, check_chip
from gasync.pipeline.gpu import DEFAULT_CHIP, STAGES, GpuArtifacts, compile_gpu, find_kernel
from gasync.runtime import args as argspec
from gasync.runtime import bundle as bundles
from gasync.runtime.launch import ArgumentError, Device, NoGpuError

from .common import Chunk, parse_module, read_source

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_RUN_FAILED = 0, 1, 2, 3
PROG = "gasync-run"


def _usage(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def compile_file(path: str, stage: str, chip: str, links: list[str] | tuple = ()
                 ) -> GpuArtifacts | int:
    """Read, parse, verify and compile `path` to `stage`; an exit code on failure."""
    try:
        name, text = read_source(path)
    except OSError as e:
        return _usage(f"cannot read '{path}': {e.strerror}")
    try:
        check_chip(chip)
    except LinkError as e:
        return _usage(e.message)
    for link in links:
        if not os.path.isfile(link):
            return _usage(f"cannot read link input '{link}'")
    context = prepare_context(ir.Context())
    diags = DiagnosticEngine(source_name=name)
    handler = diags.capture(context)
    try:
        with context, ir.Location.unknown():
            module = parse_module(Chunk(text, 0), context, diags)
            if module is None:
                return EXIT_INVALID
            artifacts = compile_gpu(module.operation, PassContext(diags), stage=stage,
                                    chip=chip, links=list(links))
            return EXIT_INVALID if artifacts is None else artifacts
    finally:
        handler.detach()


def build_bundle(path: str, entry: str, grid, block, arg_specs: list[str], chip: str,
                 links, expected: list[str] | None = None, expect_exit: int = 0,
                 timeout_s: float = bundles.DEFAULT_TIMEOUT_S) -> bundles.Bundle | int:
    """Compile `path` and check `entry` and the args: a Bundle, or an exit code."""
    artifacts = compile_file(path, "cubin", chip, links)
    if isinstance(artifacts, int):
        return artifacts
    kernel = find_kernel(artifacts.kernels, entry)
    if isinstance(kernel, str):  # like the CPU path: an entry the program lacks is exit 1
        print(f"{PROG}: error: {kernel}", file=sys.stderr)
        return EXIT_INVALID
    try:
        bundles.resolve_args(list(kernel.arg_types), list(arg_specs))
    except (argspec.ArgError, ArgumentError) as e:
        return _usage(f"kernel '{kernel.name}': {e}")
    for what, dims in (("grid", grid), ("block", block)):
        dims = tuple(dims)
        if not 1 <= len(dims) <= 3 or any(int(d) < 1 for d in dims):
            return _usage(f"--{what} takes 1 to 3 positive sizes X[,Y[,Z]]")
    pad = lambda d: tuple(int(x) for x in d) + (1,) * (3 - len(tuple(d)))  # noqa: E731
    return bundles.Bundle(
        kernel=kernel.name, module=kernel.module, cubin=artifacts.cubin[kernel.module],
        grid=pad(grid), block=pad(block), arg_types=list(kernel.arg_types),
        arg_specs=list(arg_specs), expected=expected, expect_exit=expect_exit,
        timeout_s=timeout_s, chip=chip, source=os.path.basename(path),
        cubin_name=f"{kernel.module}.cubin")


def run_cuda(path: str, entry: str, grid, block, arg_specs: list[str],
             chip: str = DEFAULT_CHIP, links=(), expected: list[str] | None = None,
             timeout_s: float = bundles.DEFAULT_TIMEOUT_S) -> int:
    """`--target cuda`: compile, load the cubin, launch `entry`, print the memref args."""
    bundle = build_bundle(path, entry, grid, block, arg_specs, chip, links, expected,
                          timeout_s=timeout_s)
    if isinstance(bundle, int):
        return bundle
    try:
        device = Device()
    except NoGpuError as e:
        print(f"{PROG}: error: --target cuda needs an NVIDIA GPU, and none is usable here ({e}).\n"
              f"{PROG}: note: build a bundle here with --emit-bundle DIR and run it on a GPU "
              f"machine with `{PROG} --bundle DIR` or `python -m gasync.runtime.bundle DIR` "
              "(no MLIR needed there)", file=sys.stderr)
        return EXIT_RUN_FAILED
    return bundles.execute(bundle, prog=PROG, device=device)


def emit_bundle(path: str, entry: str, grid, block, arg_specs: list[str], out_dir: str,
                chip: str = DEFAULT_CHIP, links=(), expected: list[str] | None = None,
                expect_exit: int = 0, timeout_s: float = bundles.DEFAULT_TIMEOUT_S) -> int:
    """`--emit-bundle DIR`: compile and write the cubin and its manifest into DIR."""
    bundle = build_bundle(path, entry, grid, block, arg_specs, chip, links, expected,
                          expect_exit, timeout_s)
    if isinstance(bundle, int):
        return bundle
    try:
        bundles.write_bundle(out_dir, bundle)
    except OSError as e:
        return _usage(f"cannot write the bundle '{out_dir}': {e.strerror}")
    return EXIT_OK


def run_bundle(directory: str) -> int:
    """`--bundle DIR`: run a bundle (no MLIR involved)."""
    return bundles.run_bundle(directory, prog=PROG)


def emit_stage(path: str, stage: str, chip: str = DEFAULT_CHIP, links=(), out: str = "-") -> int:
    """`--emit=mlir|llvm|ptx|cubin`: write one stage of the GPU pipeline to `out`.

    Text stages print every gpu.module's output, each under a `// gpu.module
    @NAME` line when there are several. `cubin` writes the bytes of the one
    gpu.module's cubin (with several gpu.modules, `out` must be a folder:
    one NAME.cubin each).
    """
    if stage not in STAGES:
        return _usage(f"--emit takes one of {', '.join(STAGES)}, not '{stage}'")
    artifacts = compile_file(path, stage, chip, links)
    if isinstance(artifacts, int):
        return artifacts
    try:
        if stage == "cubin":
            return _write_cubins(artifacts.cubin, out)
        if stage == "mlir":
            text = artifacts.mlir
        else:
            parts = artifacts.llvm if stage == "llvm" else artifacts.ptx
            if len(parts) == 1:
                text = next(iter(parts.values()))
            else:
                text = "".join(f"// gpu.module @{name}\n{body}\n" for name, body in parts.items())
        if out == "-":
            sys.stdout.write(text)
        else:
            with open(out, "w") as f:
                f.write(text)
    except OSError as e:
        return _usage(f"cannot write '{out}': {e.strerror}")
    return EXIT_OK


def _write_cubins(cubins: dict[str, bytes], out: str) -> int:
    if not cubins:
        return _usage("the program has no gpu.module: there is no cubin to write")
    if os.path.isdir(out):
        for name, data in cubins.items():
            with open(os.path.join(out, f"{name}.cubin"), "wb") as f:
                f.write(data)
        return EXIT_OK
    if len(cubins) > 1:
        return _usage(f"the program has {len(cubins)} gpu.modules ({', '.join(cubins)}): "
                      "--emit=cubin -o DIR writes one NAME.cubin each into an existing folder")
    data = next(iter(cubins.values()))
    if out == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        with open(out, "wb") as f:
            f.write(data)
    return EXIT_OK


# Stand-alone driver ----------------------------------------------------------

def parse_dims(text: str) -> tuple[int, ...]:
    try:
        dims = tuple(int(x) for x in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not X[,Y[,Z]]") from None
    if not 1 <= len(dims) <= 3 or any(d < 1 for d in dims):
        raise argparse.ArgumentTypeError(f"'{text}' is not 1 to 3 positive sizes X[,Y[,Z]]")
    return dims


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gasync.tools.run_cuda",
                                     description="gasync-run's GPU paths, stand-alone.")
    parser.add_argument("input", nargs="?")
    parser.add_argument("--entry")
    parser.add_argument("--grid", type=parse_dims, default=(1,))
    parser.add_argument("--block", type=parse_dims, default=(1,))
    parser.add_argument("--arg", action="append", default=[])
    parser.add_argument("--chip", default=DEFAULT_CHIP)
    parser.add_argument("--link", action="append", default=[])
    parser.add_argument("--emit", choices=STAGES)
    parser.add_argument("-o", dest="output", default="-")
    parser.add_argument("--emit-bundle", metavar="DIR")
    parser.add_argument("--bundle", metavar="DIR")
    parser.add_argument("--expect", action="append", help="an expected output line (bundles)")
    parser.add_argument("--expect-exit", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=bundles.DEFAULT_TIMEOUT_S)
    try:
        a = parser.parse_args(argv)
    except SystemExit as e:
        return EXIT_USAGE if e.code else EXIT_OK
    if a.bundle:
        return run_bundle(a.bundle)
    if not a.input:
        return _usage("no input file")
    if a.emit:
        return emit_stage(a.input, a.emit, a.chip, a.link, a.output)
    if not a.entry:
        return _usage("--entry KERNEL is required")
    if a.emit_bundle:
        return emit_bundle(a.input, a.entry, a.grid, a.block, a.arg, a.emit_bundle, a.chip,
                           a.link, a.expect, a.expect_exit, a.timeout)
    return run_cuda(a.input, a.entry, a.grid, a.block, a.arg, a.chip, a.link, a.expect, a.timeout)


if __name__ == "__main__":
    sys.exit(main())
