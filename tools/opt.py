"""gasync-opt: an mlir-opt for gasync (docs/design.md).

Reads a file or stdin, verifies it (MLIR's verifier, then gasync-verify),
runs the passes named as flags or by --pass-pipeline (gasync's Python passes,
gasync's pipelines and upstream MLIR passes, by name), and prints the IR.

Flags are spelled as mlir-opt spells them, with one dash or two
(`-pass-pipeline=...`, `--split-input-file`, `-canonicalize`, `-o FILE`), so
RUN lines copied from upstream work; boolean flags take `=true`/`=false`.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from importlib import metadata

from mlir import ir

from gasync.dialect.catalogue import describe
from gasync.dialect.context import LOADED_DIALECTS, prepare_context
from gasync.dialect.diagnostics import CompileError, DiagnosticEngine
from gasync.passes import PASSES, PassContext
from gasync.passes.coro_lower import CoroLowerPass
from gasync.pipeline import PIPELINES, PipelineError, build_pipeline
from gasync.pipeline.manager import (GasyncStep, PassPipeline, did_you_mean, is_upstream_pass,
                                     pass_name_suggestion)
from gasync.runtime.errors import EXIT_INVALID as EXIT_ERROR, EXIT_OK, UsageError

from .common import (SPLIT_MARKER, Chunk, OptOptions, VerifyDiagnostics, compile_chunk,
                     read_source, split_chunks, verify_first)
from .files import OutputError, write_graph, write_output

BOOLEAN_FLAGS: dict[str, tuple[str, bool, str]] = {
    # flag: (OptOptions field, default, help)
    "verify-diagnostics": ("", False, "check diagnostics against expected-error/warning/note/"
                           "remark annotations"),
    "allow-unregistered-dialect": ("allow_unregistered_dialect", False,
                                   "accept ops and types of unregistered dialects besides gasync"),
    "verify-each": ("verify_each", True, "run MLIR's verifier after every pass (default on; "
                    "--verify-each=false turns it off)"),
    "mlir-print-ir-before-all": ("print_before_all", False, "print the IR before every pass "
                                 "(to stderr)"),
    "mlir-print-ir-after-all": ("print_after_all", False, "print the IR after every pass "
                                "(to stderr)"),
    "mlir-print-ir-after-change": ("print_after_change", False, "print the IR after a pass "
                                   "only when it changed it"),
    "mlir-print-ir-after-failure": ("print_after_failure", False, "print the IR after a pass "
                                    "that failed"),
    "mlir-print-ir-module-scope": ("print_module_scope", False, "print the whole module in IR "
                                   "dumps (gasync passes always run on the module)"),
    "mlir-print-op-generic": ("print_generic", False, "print ops in the generic form"),
    "mlir-print-debuginfo": ("print_debuginfo", False, "print locations"),
    "mlir-pretty-debuginfo": ("print_pretty_debuginfo", False, "print locations, prettily"),
    "mlir-print-local-scope": ("print_local_scope", False, "print the final IR with local "
                               "scope (not in IR dumps: enable_ir_printing has no such option)"),
    "mlir-timing": ("timing", False, "report the time of each pass"),
    "mlir-pass-statistics": ("mlir_pass_statistics", False, "report pass statistics (MLIR's "
                             "counters when there are any, then gasync's: frame sizes, ...)"),
    "mlir-disable-threading": ("", False, "accepted; gasync-opt is always single-threaded (a "
                               "diagnostic on an MLIR worker thread would reach Python without "
                               "the GIL)"),
    "emit-dot": ("emit_dot", False, "write Graphviz dot of the state machines gasync-coro-lower "
                 "builds (states, suspension points, frame layouts) instead of the IR; "
                 "-o FILE.svg renders an SVG (needs Graphviz's dot on PATH)"),
    "dump-pass-pipeline": ("", False, "print the pipeline that runs, every option spelled out, "
                           "to stderr"),
    "show-dialects": ("", False, "list gasync and the upstream dialects it loads, and exit (the "
                      "bindings cannot list every registered dialect)"),
    "version": ("", False, "print the versions of gasync and of the MLIR bindings, and exit"),
}

VALUE_FLAGS: dict[str, tuple[str, str]] = {
    # flag: (metavar, help)
    "pass-pipeline": ("PIPELINE", "a textual pipeline, e.g. "
                      "'builtin.module(gasync-verify,canonicalize)'"),
    "split-input-file": ("[=MARKER]", f"process chunks separated by a line '{SPLIT_MARKER}' "
                         "(or MARKER) separately"),
    "mlir-print-ir-tree-dir": ("DIR", "write IR dumps into a tree of files under DIR "
                               "instead of stderr"),
    "mlir-elide-elementsattrs-if-larger": ("N", "elide elements attributes of more than N "
                                           "elements"),
    "mlir-pass-statistics-display": ("{list,pipeline}", "how --mlir-pass-statistics groups "
                                     "MLIR's counters"),
}

NOT_SUPPORTED: dict[str, str] = {
    "mlir-print-ir-before": "the bindings' enable_ir_printing prints before or after all "
                            "passes, with no filter by pass (use --mlir-print-ir-before-all)",
    "mlir-print-ir-after": "the bindings' enable_ir_printing prints before or after all passes, "
                           "with no filter by pass (use --mlir-print-ir-after-all)",
    "mlir-timing-display": "the bindings' enable_timing takes no display mode",
    "mlir-pass-pipeline-crash-reproducer": "the bindings have no crash reproducer",
    "mlir-pass-pipeline-local-reproducer": "the bindings have no crash reproducer",
    "run-reproducer": "the bindings have no crash reproducer",
    "mlir-print-stacktrace-on-diagnostic": "the bindings cannot attach stack traces to "
                                           "diagnostics",
    "mlir-disable-diagnostic-notes": "not implemented",
    "mlir-print-elementsattrs-with-hex-if-larger": "get_asm has no such option",
    "mlir-print-value-users": "get_asm has no such option",
    "mlir-print-unique-ssa-ids": "get_asm has no such option",
    "debug": "LLVM's debug output is a command-line option of LLVM the bindings do not expose",
    "debug-only": "LLVM's debug output is a command-line option of LLVM the bindings do not "
                  "expose",
    "mlir-debug-counter": "LLVM's command line is not exposed by the bindings",
    "log-actions-to": "the bindings have no action logging",
    "load-pass-plugin": "the bindings cannot load plugins",
    "load-dialect-plugin": "the bindings cannot load plugins",
    "list-passes": "the bindings cannot list upstream passes; --help lists gasync's",
    "emit-bytecode": "not implemented (gasync-opt writes text)",
    "verify-roundtrip": "not implemented",
    "irdl-file": "not implemented",
    "no-implicit-module": "gasync IR is always a builtin.module",
}


def _help_epilog() -> str:
    lines = ["Every flag takes one dash or two (-pass-pipeline=..., --canonicalize); boolean "
             "flags take =true or =false.", ""]
    lines.append("gasync passes (each also a flag, e.g. --gasync-verify):")
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
                 "(--canonicalize, --cse, --convert-scf-to-cf, ...) or inside --pass-pipeline. "
                 "gasync passes nest in gpu.module(...) only.")
    lines.append("")
    lines.append("mlir-opt flags gasync-opt does not support, and why:")
    for flag, why in NOT_SUPPORTED.items():
        lines.append(f"  --{flag:<44} {why}")
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
    parser = _Parser(prog="gasync-opt", allow_abbrev=False,
                     description="Verify, transform and print gasync IR, like mlir-opt.",
                     formatter_class=argparse.RawDescriptionHelpFormatter,
                     epilog=_help_epilog())
    parser.add_argument("input", nargs="?", default="-", help="input file (default: stdin)")
    parser.add_argument("-o", dest="output", default="-", help="output file (default: stdout)")
    for flag, (metavar, help_text) in VALUE_FLAGS.items():
        parser.add_argument(f"--{flag}", metavar=metavar, help=help_text)
    for flag, (_, default, help_text) in BOOLEAN_FLAGS.items():
        # only a flag on by default has a --no- form (mlir-opt spells it --flag=false)
        parser.add_argument(f"--{flag}", default=default, help=help_text,
                            action=argparse.BooleanOptionalAction if default else "store_true")
    return parser


_TRUE, _FALSE = ("true", "1", "TRUE", "True"), ("false", "0", "FALSE", "False")


class CommandLine:
    """Separate gasync-opt's own flags from pass flags, accepting mlir-opt's
    spellings; UsageError for an option that is neither."""

    def __init__(self, parser: argparse.ArgumentParser):
        self.own = {s.lstrip("-") for a in parser._actions for s in a.option_strings}
        self._context: ir.Context | None = None

    @property
    def context(self) -> ir.Context:
        """A context to ask MLIR whether it knows a pass."""
        if self._context is None:
            self._context = prepare_context(ir.Context())
        return self._context

    def split(self, argv: list[str]) -> tuple[list[str], list[str]]:
        own, passes = [], []
        positional_only = False
        for arg in argv:
            if positional_only or arg == "-" or not arg.startswith("-"):
                own.append(arg)
                continue
            if arg == "--":
                own.append(arg)
                positional_only = True
                continue
            body = arg[2:] if arg.startswith("--") else arg[1:]
            key, eq, value = body.partition("=")
            if key == "o":
                own += ["-o", value] if eq else ["-o"]
            elif key in ("h", "help"):
                own.append("--help")
            elif key == "split-input-file":
                own.append(f"--split-input-file={value or SPLIT_MARKER}")
            elif key in BOOLEAN_FLAGS:
                own += self.boolean(key, value) if eq else ["--" + key]
            elif key in self.own:
                own.append("--" + body)
            elif key in NOT_SUPPORTED:
                raise UsageError(f"option '{arg}' is not supported: {NOT_SUPPORTED[key]}")
            elif key in PASSES or key in PIPELINES or is_upstream_pass(key, self.context):
                passes.append(key + ("{" + value + "}" if eq else ""))
            else:
                raise UsageError(self.unknown(arg, key))
        return own, passes

    @staticmethod
    def boolean(key: str, value: str) -> list[str]:
        """argparse's spelling of `--key=value`."""
        if value not in _TRUE + _FALSE:
            raise UsageError(f"option '--{key}' takes true or false, not '{value}'")
        if value in _TRUE:
            return ["--" + key]
        return ["--no-" + key] if BOOLEAN_FLAGS[key][1] else []

    def unknown(self, arg: str, key: str) -> str:
        message = f"unknown option '{arg}' (try --help)"
        close = difflib.get_close_matches(key, sorted(self.own) + list(NOT_SUPPORTED), n=1,
                                          cutoff=0.7)
        if close:
            return message + f"; did you mean '--{close[0]}'?"
        name = pass_name_suggestion(key, self.context)
        return message + (f"; did you mean the pass '--{name}'?" if name else "")


def options_from(args: argparse.Namespace) -> OptOptions:
    values = {field: getattr(args, flag.replace("-", "_"))
              for flag, (field, _, _) in BOOLEAN_FLAGS.items() if field}
    elide = args.mlir_elide_elementsattrs_if_larger
    if elide is not None and not elide.isdigit():
        raise UsageError(f"--mlir-elide-elementsattrs-if-larger takes a number, not '{elide}'")
    display = args.mlir_pass_statistics_display or "pipeline"
    if display not in ("list", "pipeline"):
        raise UsageError(f"--mlir-pass-statistics-display takes list or pipeline, not "
                         f"'{display}'{did_you_mean(display, ['list', 'pipeline'])}")
    return OptOptions(**values, print_tree_dir=args.mlir_print_ir_tree_dir,
                      elide_elements_larger=None if elide is None else int(elide),
                      statistics_display=display)


def lowers_coroutines(pipeline: PassPipeline) -> bool:
    return any(isinstance(step, GasyncStep) and step.pass_.name == CoroLowerPass.name
               for step in pipeline.steps)


def version_text() -> str:
    from gasync import __version__

    try:
        bindings = metadata.version("xtc-mlir-python-bindings")
    except metadata.PackageNotFoundError:
        bindings = "unknown"
    return f"gasync-opt (gasync {__version__})\n  MLIR Python bindings {bindings}"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = make_parser()
    command_line = CommandLine(parser)
    try:
        rest, pass_flags = command_line.split(argv)
        args = parser.parse_args(rest)
        options = options_from(args)
    except UsageError as e:
        print(f"gasync-opt: error: {e}", file=sys.stderr)
        return EXIT_ERROR
    if args.version:
        print(version_text())
        return EXIT_OK
    if args.show_dialects:
        print("Available Dialects: " + ", ".join(sorted(LOADED_DIALECTS + ("gasync",))))
        return EXIT_OK
    if args.pass_pipeline and pass_flags:
        print("gasync-opt: error: pass flags cannot be combined with --pass-pipeline",
              file=sys.stderr)
        return EXIT_ERROR
    pipeline = args.pass_pipeline if args.pass_pipeline is not None else ",".join(pass_flags)
    try:  # the pipeline is checked once, before any input is read
        checked = verify_first(build_pipeline(pipeline, command_line.context,
                                              PassContext(DiagnosticEngine(stream=None))))
    except PipelineError as e:
        print(f"gasync-opt: error: {e}", file=sys.stderr)
        return EXIT_ERROR
    if args.emit_dot and not lowers_coroutines(checked):
        print("gasync-opt: error: --emit-dot draws the state machines that "
              f"{CoroLowerPass.name} builds, and the pipeline does not run it (add --gasync-coro)",
              file=sys.stderr)
        return EXIT_ERROR
    if args.dump_pass_pipeline:
        print(f"Pass Manager with {len(checked.steps)} passes:\n{checked}\n", file=sys.stderr)

    try:
        name, text = read_source(args.input)
    except OSError as e:
        print(f"gasync-opt: error: cannot read '{args.input}': {e.strerror}", file=sys.stderr)
        return EXIT_ERROR
    except CompileError:  # not UTF-8: reported at the first bad byte
        return EXIT_ERROR

    marker = args.split_input_file
    chunks = split_chunks(text, marker) if marker else [Chunk(text, 0)]
    outputs: list[str] = []
    failed = False
    checker = VerifyDiagnostics(name) if args.verify_diagnostics else None
    for chunk in chunks:
        result = compile_chunk(chunk, name, pipeline, options, checker)
        if result.output is not None:
            outputs.append(result.output)
        failed |= not result.ok

    separator = f"\n{marker}\n" if marker else ""
    rendered = separator.join(outputs)
    try:
        if args.emit_dot:
            if len(outputs) > 1 and args.output.lower().endswith(".svg"):
                raise OutputError(f"cannot write '{args.output}': an SVG holds one graph, and "
                                  f"--split-input-file made {len(outputs)}")
            write_graph(args.output, rendered)
        else:
            write_output(args.output, rendered)
    except OutputError as e:
        if not e.broken_pipe:
            print(f"gasync-opt: error: {e}", file=sys.stderr)
        return EXIT_ERROR
    if checker is not None:
        return EXIT_OK if checker.ok else EXIT_ERROR
    return EXIT_ERROR if failed else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
