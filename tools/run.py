"""gasync-run: compile and run one entry of a gasync program.

    gasync-run FILE --entry NAME [--target cpu|cuda] [--grid X,Y,Z] [--block X,Y,Z]
               [--arg SPEC]... [--print-full] [--emit STAGE] [--from STAGE]
               [--emit-bundle DIR]
    gasync-run --bundle DIR

The command line is parsed once, here; compiling goes through the driver
(pipeline/driver.py) with the parsed values. Exit codes (runtime/errors.py):
0 ok, 1 the program is invalid, 2 bad command line, 3 the program failed
while running. MLIR is imported only when something is compiled, so
`--bundle DIR` runs where only the host side (numpy, cuda-bindings) is
installed.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

from gasync.runtime.abi import JIT_OPTIMISE_LIMIT
from gasync.runtime.args import MAX_ARG_BYTES, SUMMARY_THRESHOLD, ArgError, launch_shape
from gasync.runtime.errors import EXIT_USAGE, GasyncError, UsageError, report

from .files import OutputError, flush_stdout, read_input, write_graph, write_output

PROG = "gasync-run"
STAGE_NAMES = ("coro", "mlir", "llvm", "ptx", "cubin")
"""Every target's stage names (the driver checks that the target has the one named)."""


def _ops(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number of ops (0: no limit), got '{text}'")
    return value


def _shape(text: str) -> tuple[int, int, int]:
    try:
        return launch_shape(text)
    except ArgError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A value that starts with '-' and then spells a number (`--arg -1e39`,
        # `--arg -inf`, `--arg -0x10`) is a value, not an unknown option:
        # argparse's own pattern knows only `-12` and `-1.5`.
        self._negative_number_matcher = re.compile(r"^-(\d|\.\d|inf|nan)", re.IGNORECASE)

    def error(self, message):  # a bad command line is exit 2, as argparse's own
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog=PROG,
        description="Compile and run one entry of a gasync program: a func.func on the CPU "
                    "(MLIR's JIT), a gpu.func kernel on an NVIDIA GPU.",
        epilog="stages (--emit, --from): cpu: coro (gasync IR after the coroutine lowering), "
               "mlir (the LLVM dialect), llvm (LLVM IR, dump only); cuda: mlir (NVVM), llvm "
               "(dump only), ptx, cubin; dot (either target): each async function's state machine and "
               "frame layout as Graphviz dot. Exit codes: 0 ok, 1 invalid program, 2 bad command "
               "line, 3 failure while running (fault, pool overflow, watchdog, trap)")
    p.add_argument("input", nargs="?", help="the .mlir file ('-' for stdin)")
    p.add_argument("--entry", help="the func.func (cpu) or gpu.func kernel (cuda) to run")
    p.add_argument("--target", choices=("cpu", "cuda"), default=None,
                   help="cpu (default) or cuda (implied by --emit-bundle)")
    p.add_argument("--arg", action="append", default=[], metavar="SPEC",
                   help="an argument: a literal (21, 1.5, inf) or a memref TYPE[=FILL|=[v,...]] "
                        f"of at most {MAX_ARG_BYTES >> 20} MiB")
    p.add_argument("--print-full", action="store_true",
                   help=f"print memref arguments of more than {SUMMARY_THRESHOLD} elements in "
                        "full (default: the first and last 3 items of each dimension, "
                        "around '...')")
    p.add_argument("--grid", type=_shape, default=(1, 1, 1), metavar="X,Y,Z")
    p.add_argument("--block", type=_shape, default=(1, 1, 1), metavar="X,Y,Z")
    p.add_argument("--chip", default="sm_90", help="GPU architecture (default sm_90)")
    p.add_argument("--features", default="", metavar="FEATURES",
                   help="(cuda) NVPTX target features, e.g. +ptx86 for NVVM ops that need PTX 8.6")
    p.add_argument("--link", action="append", default=[], metavar="FILE",
                   help="an extra PTX, cubin, fatbin or LTO-IR object to link into the cubin")
    p.add_argument("--emit", choices=STAGE_NAMES + ("dot",),
                   help="stop after this stage and write it instead of running; dot: Graphviz "
                        "dot of each async function's state machine and frame (an SVG with "
                        "-o FILE.svg, which needs Graphviz's dot on PATH)")
    p.add_argument("--from", dest="start", choices=STAGE_NAMES, metavar="STAGE",
                   help="the input is the dump of this stage (an MLIR stage, ptx or cubin): "
                        "go on from there")
    p.add_argument("-o", dest="output", default="-", help="output file of --emit (default stdout)")
    p.add_argument("--emit-bundle", metavar="DIR",
                   help="(cuda) compile and write the cubin and a manifest to DIR, not run")
    p.add_argument("--expect", action="append", metavar="LINE",
                   help="(cuda) an expected output line: a mismatch is exit 3; with "
                        "--emit-bundle, stored in the manifest")
    p.add_argument("--expect-exit", type=int, default=0, metavar="CODE",
                   help="with --emit-bundle: the exit code the bundle's run should give")
    p.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                   help="(cuda) a kernel still running after this long is a hang: exit 3")
    p.add_argument("--watchdog", type=int, default=None, metavar="POLLS",
                   help="(cpu) stop an executor with a fault after this many polls (default "
                        "100000000; 0: no limit; at most 2147483647)")
    p.add_argument("--jit-optimise-limit", type=_ops, default=None, metavar="OPS",
                   help="(cpu) JIT-compile at -O2 a program of at most this many LLVM-dialect "
                        f"ops, a larger one at -O0 (default {JIT_OPTIMISE_LIMIT}: LLVM's "
                        "optimiser takes tens of seconds on huge functions; 0: always -O2)")
    p.add_argument("--idle-wait-ms", type=int, default=None, metavar="MS",
                   help="stop the run with a fault naming the wait when a flag, mbarrier or "
                        "channel wait stays pending this long (default 2000; 0: no limit)")
    p.add_argument("--bundle", metavar="DIR",
                   help="run a bundle written by --emit-bundle (imports no MLIR)")
    return p


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as e:  # --help
            flush_stdout()
            return 0 if not e.code else 2
        if args.bundle:
            from gasync.runtime.bundle import run_bundle

            run_bundle(args.bundle)
        else:
            run(args)
        flush_stdout()
    except OutputError as e:
        return EXIT_USAGE if e.broken_pipe else report(e, PROG)
    except GasyncError as e:
        return report(e, PROG)
    return 0


def target_of(args) -> str:
    if args.emit_bundle:
        if args.emit:
            raise UsageError(f"--emit {args.emit} writes one stage and --emit-bundle a whole "
                             "bundle: give one of them")
        if args.target == "cpu":
            raise UsageError("--emit-bundle builds GPU bundles: it takes --target cuda")
        return "cuda"
    return args.target or "cpu"


def run(args) -> None:
    """Everything but --bundle: compile to a stage, write it, or run the entry."""
    if args.input is None:
        raise UsageError("an input file is required (or --bundle DIR)")
    target = target_of(args)
    if not args.entry and not args.emit:
        raise UsageError("--entry NAME is required")
    if args.watchdog is not None and target != "cpu":
        raise UsageError("--watchdog applies to --target cpu (the GPU pipelines use the "
                         "default budget)")
    if args.emit == "dot" and args.start:
        raise UsageError("--emit dot draws the coroutine lowering of gasync IR: it cannot "
                         f"start from the {args.start} stage")
    if args.jit_optimise_limit is not None and target != "cpu":
        raise UsageError("--jit-optimise-limit applies to --target cpu")
    try:
        name, data = read_input(args.input)
    except OSError as e:
        raise UsageError(f"cannot read '{args.input}': {e.strerror}") from None

    from gasync.pipeline import driver

    options = driver.Options(target=target, entry=args.entry if target == "cpu" else None,
                             chip=args.chip, features=args.features, links=tuple(args.link),
                             watchdog=args.watchdog, idle_wait_ms=args.idle_wait_ms)
    with driver.Compilation(options, source_name=name) as c:
        if args.emit == "dot":
            write_graph(args.output, driver.state_machine_dot(c, data))
            return
        stop = args.emit or ("mlir" if target == "cpu" else "cubin")
        compiled = driver.compile_source(c, data, stop=stop, start=args.start, path=args.input)
        if args.emit:
            write_stage(compiled, args.emit, args.output)
            return
        if target == "cpu":
            from gasync.runtime.errors import RunFailure
            from gasync.runtime.faults import ExecutorFault

            try:
                lines = driver.run_cpu(
                    c, compiled, args.arg,
                    summarise_above=None if args.print_full else SUMMARY_THRESHOLD,
                    optimise_limit=JIT_OPTIMISE_LIMIT if args.jit_optimise_limit is None
                    else args.jit_optimise_limit)
            except ExecutorFault as e:
                raise RunFailure(f"'@{args.entry}' failed while running: {e}") from None
        else:
            kernel = driver.kernel(compiled, args.entry, c)
    if target == "cpu":
        write_output("-", "".join(line + "\n" for line in lines))
        return
    run_kernel(args, kernel, compiled.ir[kernel.module].data, compiled.sites)


def run_kernel(args, kernel, cubin: bytes, sites) -> None:
    """--target cuda: write a bundle (--emit-bundle), or run it here."""
    from gasync.runtime import bundle as bundles
    from gasync.runtime.args import parse_args, parse_type
    from gasync.runtime.launch import NoGpuError

    bundle = bundles.Bundle(
        kernel=kernel.name, module=kernel.module, cubin=cubin, grid=args.grid, block=args.block,
        arg_types=list(kernel.arg_types), arg_specs=list(args.arg), expected=args.expect,
        expect_exit=args.expect_exit, timeout_s=args.timeout, chip=args.chip,
        source=os.path.basename(args.input), cubin_name=f"{kernel.module}.cubin",
        sites=list(sites))
    try:  # the arguments are checked before anything is written or launched
        parse_args([parse_type(t) for t in kernel.arg_types], args.arg,
                   f"kernel '{kernel.name}'")
    except ArgError as e:
        raise ArgError(f"kernel '{kernel.name}': {e}") from None
    if args.emit_bundle:
        try:
            bundles.write_bundle(args.emit_bundle, bundle)
        except OSError as e:
            raise UsageError(f"cannot write the bundle '{args.emit_bundle}': {e.strerror}") from None
        return
    from gasync.runtime.launch import Device

    try:
        device = Device()
    except NoGpuError as e:
        raise NoGpuError(
            f"--target cuda needs an NVIDIA GPU, and none is usable here ({e}).\n"
            f"{PROG}: note: build a bundle here with --emit-bundle DIR and run it on a GPU "
            f"machine with `{PROG} --bundle DIR` or `python -m gasync.runtime.bundle DIR` "
            "(no MLIR needed there)") from None
    bundles.execute(bundle, device=device)


def write_stage(compiled, stage: str, out: str) -> None:
    """Text stages print every gpu.module's output, each under a `// gpu.module
    @NAME` line when there are several. `cubin` writes the bytes of the one
    gpu.module's cubin (with several gpu.modules, `out` must be a folder: one
    NAME.cubin each)."""
    from gasync.pipeline import driver

    parts = driver.dump(compiled)
    if stage == "cubin":
        write_cubins(dict(parts), out)
        return
    if not parts:
        raise UsageError(f"the program has no gpu.module: there is no {stage} to write")
    if len(parts) == 1:
        text = parts[0][1]
    else:
        text = "".join(f"// gpu.module @{name}\n{body}\n" for name, body in parts)
    write_output(out, text)


def write_cubins(cubins: dict[str, bytes], out: str) -> None:
    if not cubins:
        raise UsageError("the program has no gpu.module: there is no cubin to write")
    if os.path.isdir(out):
        for name, data in cubins.items():
            write_output(os.path.join(out, f"{name}.cubin"), data)
        return
    if len(cubins) > 1:
        raise UsageError(f"the program has {len(cubins)} gpu.modules ({', '.join(cubins)}): "
                         "--emit=cubin -o DIR writes one NAME.cubin each into an existing folder")
    write_output(out, next(iter(cubins.values())))


if __name__ == "__main__":
    sys.exit(main())
