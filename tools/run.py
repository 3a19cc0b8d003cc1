"""gasync-run: compile and run one entry of a gasync program (DESIGN.md section 5).

    gasync-run FILE --entry NAME [--target cpu|cuda] [--grid X,Y,Z] [--block X,Y,Z]
               [--arg SPEC]... [--emit STAGE] [--emit-bundle DIR] [--bundle DIR]

Exit codes: 0 ok, 1 the program is invalid, 2 bad command line, 3 the program
failed while running. MLIR is imported only when something is compiled, so
`--bundle DIR` runs where only the CUDA Python packages are installed.
"""

from __future__ import annotations

import argparse
import sys

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_RUNTIME = 0, 1, 2, 3


def launch_shape(text: str) -> tuple[int, int, int]:
    try:
        dims = [int(d) for d in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not X[,Y[,Z]] of integers") from None
    if not 1 <= len(dims) <= 3 or any(d < 1 for d in dims):
        raise argparse.ArgumentTypeError(f"'{text}' is not X[,Y[,Z]] of positive integers")
    return tuple(dims + [1] * (3 - len(dims)))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="gasync-run",
        description="Compile and run one entry of a gasync program: a func.func on the CPU "
                    "(MLIR's JIT), a gpu.func kernel on an NVIDIA GPU.",
        epilog="exit codes: 0 ok, 1 invalid program, 2 bad command line, 3 failure while "
               "running (fault, pool overflow, watchdog, trap)")
    p.add_argument("input", nargs="?", help="the .mlir file ('-' for stdin)")
    p.add_argument("--entry", help="the func.func (cpu) or gpu.func kernel (cuda) to run")
    p.add_argument("--target", choices=("cpu", "cuda"), default="cpu")
    p.add_argument("--arg", action="append", default=[], metavar="SPEC",
                   help="an argument: a literal (21, 1.5) or a memref TYPE[=FILL|=[v,...]]")
    p.add_argument("--grid", type=launch_shape, default=(1, 1, 1), metavar="X,Y,Z")
    p.add_argument("--block", type=launch_shape, default=(1, 1, 1), metavar="X,Y,Z")
    p.add_argument("--chip", default="sm_90", help="GPU architecture (default sm_90)")
    p.add_argument("--link", action="append", default=[], metavar="FILE",
                   help="an extra PTX, cubin, fatbin or LTO-IR object to link into the cubin")
    p.add_argument("--emit", choices=("mlir", "llvm", "ptx", "cubin"),
                   help="(cuda) stop after this stage and write it instead of running")
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
                   help="stop an executor with a fault after this many polls (default "
                        "100000000; 0: no limit)")
    p.add_argument("--bundle", metavar="DIR",
                   help="run a bundle written by --emit-bundle (imports no MLIR)")
    return p


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.bundle:
        from gasync.tools import run_cuda
        return run_cuda.run_bundle(args.bundle)
    if args.input is None:
        parser.error("an input file is required (or --bundle DIR)")
    if not args.entry and not args.emit:
        parser.error("--entry NAME is required")
    if args.target == "cuda" or args.emit or args.emit_bundle:
        if args.watchdog is not None:
            parser.error("--watchdog applies to --target cpu (the GPU pipelines use the "
                         "default budget)")
        from gasync.tools import run_cuda
        return run_cuda.main(cuda_argv(argv))
    return run_cpu(args)


def cuda_argv(argv: list[str]) -> list[str]:
    """The command line for tools/run_cuda.py: the same, less `--target`."""
    out, skip = [], False
    for i, a in enumerate(argv):
        if skip:
            skip = False
        elif a == "--target":
            skip = True
        elif not a.startswith("--target="):
            out.append(a)
    return out


def run_cpu(args) -> int:
    from gasync.dialect.diagnostics import CompileError, DiagnosticEngine
    from gasync.pipeline.cpu import run_text
    from gasync.runtime.args import ArgError
    from gasync.runtime.faults import ExecutorFault

    from .common import read_source

    try:
        name, text = read_source(args.input)
    except OSError as e:
        print(f"gasync-run: cannot read '{args.input}': {e.strerror}", file=sys.stderr)
        return EXIT_USAGE
    diags = DiagnosticEngine(source_name=name)
    try:
        lines = run_text(text, args.entry, args.arg, diags=diags, watchdog=args.watchdog)
    except CompileError:
        return EXIT_INVALID
    except ArgError as e:
        print(f"gasync-run: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except ExecutorFault as e:
        print(f"gasync-run: error: '@{args.entry}' failed while running: {e}", file=sys.stderr)
        return EXIT_RUNTIME
    for line in lines:
        print(line)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
