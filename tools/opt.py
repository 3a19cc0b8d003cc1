"""gasync-opt: an mlir-opt for gasync (DESIGN.md section 5).

Reads a file or stdin, verifies it (MLIR's verifier, then gasync-verify),
runs the passes named as flags or by --pass-pipeline (gasync's Python passes,
gasync's pipelines and upstream MLIR passes, by name), and prints the IR.
"""

from __future__ import annotations

import argparse
import sys
import textwrap

from gasync.dialect.catalogue import describe
from gasync.pipeline import PIPELINES, PipelineError
from gasync.passes import PASSES
from gasync.runtime.errors import EXIT_INVALID as EXIT_ERROR, EXIT_OK

from .common import (SPLIT_MARKER, Chunk, VerifyDiagnostics, compile_chunk,
                     read_source, split_chunks)


def _help_epilog() -> str:
    lines = ["gasync passes (each also a flag, e.g. --gasync-verify):"]
    for name, cls in sorted(PASSES.items()):
        opts = " ".join(f"{f.name.replace('_', '-')}=" for f in cls.options())
        lines.append(f"  {name:<28} {cls.summary}" + (f"  [options: {opts}]" if opts else ""))
    lines.append("")
    lines.append("gasync pipelines (usable wherever a pass is):")
    for name, p in sorted(PIPELINES.items()):
        opts = " ".join(f"{k}={v}" for k, v in p.defaults)
        lines.append(f"  {name:<28} {p.summary}" + (f"  [defaults: {opts}]" if opts else ""))
    lines.append("")
    lines.append("Any upstream MLIR pass is available by its name as well, as a flag "
                 "(--canonicalize, --cse, --convert-scf-to-cf, ...) or inside --pass-pipeline.")
    lines.append("")
    lines.append("gasync ops:")
    lines.append(describe())
    return "\n".join(lines)


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # every error exits 1, as mlir-opt's do
        self.print_usage(sys.stderr)
        print(f"gasync-opt: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_ERROR)


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="gasync-opt",
        description="Verify, transform and print gasync IR, like mlir-opt.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_help_epilog(),
    )
    parser.add_argument("input", nargs="?", default="-", help="input file (default: stdin)")
    parser.add_argument("-o", dest="output", default="-", help="output file (default: stdout)")
    parser.add_argument("--pass-pipeline", default=None,
                        help="a textual pipeline, e.g. 'builtin.module(gasync-verify,canonicalize)'")
    parser.add_argument("--split-input-file", nargs="?", const=SPLIT_MARKER, default=None,
                        metavar="MARKER", help=f"process chunks separated by '{SPLIT_MARKER}' "
                        "separately")
    parser.add_argument("--verify-diagnostics", action="store_true",
                        help="check diagnostics against expected-error/warning/note/remark "
                             "annotations")
    parser.add_argument("--allow-unregistered-dialect", action="store_true",
                        help="accept ops and types of unregistered dialects besides gasync")
    parser.add_argument("--mlir-print-ir-after-all", action="store_true",
                        help="print the IR after every pass (to stderr)")
    parser.add_argument("--mlir-timing", action="store_true", help="report the time of each pass")
    parser.add_argument("--mlir-pass-statistics", action="store_true",
                        help="report pass statistics (frame sizes, states, ...)")
    parser.add_argument("--mlir-print-op-generic", action="store_true",
                        help="print ops in the generic form")
    parser.add_argument("--mlir-print-debuginfo", action="store_true", help="print locations")
    return parser


def split_pass_flags(argv: list[str]) -> tuple[list[str], list[str]]:
    """Separate pass flags (--name or --name=options) from the driver's own flags."""
    own = {a.option_strings[0].lstrip("-") for a in make_parser()._actions if a.option_strings}
    own |= {"h", "help", "o"}
    passes, rest = [], []
    for arg in argv:
        if arg.startswith("--") and len(arg) > 2:
            key, eq, value = arg[2:].partition("=")
            if key not in own:
                passes.append(key + ("{" + value + "}" if eq else ""))
                continue
        rest.append(arg)
    return passes, rest


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    pass_flags, rest = split_pass_flags(argv)
    args = make_parser().parse_args(rest)
    if args.pass_pipeline and pass_flags:
        print("gasync-opt: error: pass flags cannot be combined with --pass-pipeline",
              file=sys.stderr)
        return EXIT_ERROR
    pipeline = args.pass_pipeline if args.pass_pipeline is not None else ",".join(pass_flags)

    try:
        name, text = read_source(args.input)
    except OSError as e:
        print(f"gasync-opt: error: cannot read '{args.input}': {e.strerror}", file=sys.stderr)
        return EXIT_ERROR
    except UnicodeDecodeError:
        print(f"gasync-opt: error: '{args.input}' is not UTF-8 text", file=sys.stderr)
        return EXIT_ERROR

    chunks = split_chunks(text, args.split_input_file) if args.split_input_file else [Chunk(text, 0)]
    outputs: list[str] = []
    failed = False
    checker = VerifyDiagnostics(name) if args.verify_diagnostics else None
    for chunk in chunks:
        try:
            result = compile_chunk(chunk, name, pipeline, args, checker)
        except PipelineError as e:
            print(f"gasync-opt: error: {e}", file=sys.stderr)
            return EXIT_ERROR
        if result.output is not None:
            outputs.append(result.output)
        failed |= not result.ok

    separator = f"\n{args.split_input_file}\n" if args.split_input_file else ""
    rendered = separator.join(outputs)
    try:
        if args.output == "-":
            sys.stdout.write(rendered)
        else:
            with open(args.output, "w") as f:
                f.write(rendered)
    except OSError as e:
        print(f"gasync-opt: error: cannot write '{args.output}': {e.strerror}", file=sys.stderr)
        return EXIT_ERROR
    if checker is not None:
        return EXIT_OK if checker.ok else EXIT_ERROR
    return EXIT_ERROR if failed else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
