"""gasync-opt's pieces: reading and splitting input, running a pipeline on each
chunk (through the driver's Compilation), and --verify-diagnostics."""

from __future__ import annotations

import dataclasses
import re
import sys

from gasync.dialect.diagnostics import CompileError, Diagnostic, DiagnosticEngine, Position, Severity
from gasync.passes import PassContext
from gasync.passes.state_machine_graph import to_dot
from gasync.passes.verify import VerifyPass
from gasync.pipeline.driver import Compilation, decode_source
from gasync.pipeline.manager import (MODULE, GasyncStep, PassPipeline, build_pipeline,
                                     captured_stderr, run_pass_manager)

from .files import read_input

SPLIT_MARKER = "// -----"


@dataclasses.dataclass
class Chunk:
    text: str
    line_offset: int
    """How many lines of the file come before this chunk."""


def read_source(path: str) -> tuple[str, str]:
    """(name for diagnostics, text) of a file, or of stdin for '-'. Raises
    OSError if it cannot be read, CompileError (reported on stderr, located)
    if it is not UTF-8."""
    name, data = read_input(path)
    return name, decode_source(data, DiagnosticEngine(sys.stderr, source_name=name))


def split_chunks(text: str, marker: str) -> list[Chunk]:
    chunks, current, start = [], [], 0
    for i, line in enumerate(text.splitlines(keepends=True)):
        if line.strip() == marker:
            chunks.append(Chunk("".join(current), start))
            current, start = [], i + 1
        else:
            current.append(line)
    chunks.append(Chunk("".join(current), start))
    return chunks


@dataclasses.dataclass(frozen=True)
class OptOptions:
    """gasync-opt's settings for running and printing, mapped onto what the
    bindings expose (PassManager.enable_*, Operation.get_asm)."""

    allow_unregistered_dialect: bool = False
    verify_each: bool = True
    print_before_all: bool = False
    print_after_all: bool = False
    print_after_change: bool = False
    print_after_failure: bool = False
    print_module_scope: bool = False
    print_tree_dir: str | None = None
    print_generic: bool = False
    print_debuginfo: bool = False
    print_pretty_debuginfo: bool = False
    print_local_scope: bool = False
    elide_elements_larger: int | None = None
    timing: bool = False
    mlir_pass_statistics: bool = False
    statistics_display: str = "pipeline"
    emit_dot: bool = False
    """Print the state machines gasync-coro-lower builds, as Graphviz dot, not the IR."""

    def configure(self, pm) -> None:
        from mlir.passmanager import PassDisplayMode

        pm.enable_verifier(self.verify_each)
        if (self.print_before_all or self.print_after_all or self.print_after_change
                or self.print_after_failure or self.print_tree_dir):
            pm.enable_ir_printing(
                print_before_all=self.print_before_all,
                # as in mlir-opt, -after-change and -after-failure print after
                # passes, filtered (MLIR's printer checks the filters only then)
                print_after_all=(self.print_after_all or self.print_after_change
                                 or self.print_after_failure),
                print_module_scope=self.print_module_scope,
                print_after_change=self.print_after_change,
                print_after_failure=self.print_after_failure,
                large_elements_limit=self.elide_elements_larger,
                enable_debug_info=self.print_debuginfo,
                print_generic_op_form=self.print_generic,
                tree_printing_dir_path=self.print_tree_dir)
        if self.timing:
            pm.enable_timing()
        if self.mlir_pass_statistics:
            pm.enable_statistics(PassDisplayMode.LIST if self.statistics_display == "list"
                                 else PassDisplayMode.PIPELINE)

    def asm(self) -> dict:
        """get_asm's arguments for the final IR."""
        return dict(print_generic_op_form=self.print_generic,
                    enable_debug_info=self.print_debuginfo or self.print_pretty_debuginfo,
                    pretty_debug_info=self.print_pretty_debuginfo,
                    use_local_scope=self.print_local_scope,
                    large_elements_limit=self.elide_elements_larger)


def verify_first(pipeline: PassPipeline) -> PassPipeline:
    """gasync-verify runs before anything else, once: prepended unless the
    pipeline starts with it (gasync-coro and the pipelines built on it do)."""
    first = pipeline.steps[0] if pipeline.steps else None
    if not (isinstance(first, GasyncStep) and first.anchor == MODULE
            and first.pass_.name == VerifyPass.name):
        pipeline.steps.insert(0, GasyncStep(VerifyPass()))
    return pipeline


@dataclasses.dataclass
class ChunkResult:
    ok: bool
    output: str | None


def compile_chunk(chunk: Chunk, name: str, pipeline: str, options: OptOptions,
                  checker: "VerifyDiagnostics | None") -> ChunkResult:
    """Parse, verify and transform one chunk; its printed IR if all went well.
    Raises PipelineError for a pipeline text that cannot be used."""
    compilation = Compilation(source_name=name, stream=None if checker else sys.stderr,
                              allow_unregistered=options.allow_unregistered_dialect)
    ok, output = False, None
    with compilation as c:
        try:
            module = c.parse(chunk.text, chunk.line_offset)
        except CompileError:
            module = None
        if module is not None:
            pm = verify_first(build_pipeline(pipeline, c.context, c.passes)).pass_manager()
            options.configure(pm)
            if options.emit_dot:
                c.passes.state_machines = []
            ok = run_with_reports(pm, module, c.passes, options)
            if ok:
                output = to_dot(c.passes.state_machines) if options.emit_dot \
                    else module.operation.get_asm(**options.asm())
    if checker is not None:
        checker.check(chunk, compilation.diags.diagnostics)
    return ChunkResult(ok, output)


def run_with_reports(pm, module, passes: PassContext, options: OptOptions) -> bool:
    """Run `pm`; then the statistics report: MLIR's (upstream passes' counters),
    only when it has any, then gasync's."""
    if not options.mlir_pass_statistics:
        ok = run_pass_manager(pm, module.operation, passes)
        del pm  # the timing report prints as the pass manager goes
        return ok
    with captured_stderr() as printed:
        ok = run_pass_manager(pm, module.operation, passes)
        del pm
    sys.stderr.write(without_empty_statistics(printed[0]))
    print_statistics(passes)
    return ok


_STATISTICS_HEADER = "... Pass statistics report ..."


def without_empty_statistics(text: str) -> str:
    """`text` (what MLIR printed) without its pass statistics report when no
    pass in it has a statistic (MLIR lists every pass regardless)."""
    at = text.find(_STATISTICS_HEADER)
    if at < 0:
        return text
    start = text.rfind("===", 0, text.rfind("\n", 0, at) + 1)
    start = text.rfind("\n", 0, start) + 1
    end = text.find("\n===", at + len(_STATISTICS_HEADER))  # the header's closing rule
    end = text.find("\n===", end + 1) if end >= 0 else -1  # the next report's rule
    report = text[start:] if end < 0 else text[start:end + 1]
    if "(S)" in report:
        return text
    return text[:start] + text[start + len(report):]


def print_statistics(ctx: PassContext, stream=sys.stderr) -> None:
    if not ctx.statistics:
        return
    print("===" + "-" * 72 + "===", file=stream)
    print("  gasync pass statistics", file=stream)
    print("===" + "-" * 72 + "===", file=stream)
    for pass_name, stats in ctx.statistics.items():
        print(f"'{pass_name}'", file=stream)
        for key, value in stats.items():
            print(f"  ({key}) {value}", file=stream)


_EXPECTED = re.compile(
    r"expected-(error|warning|note|remark)\s*(?:@(\+\d+|-\d+|above|below|\d+))?\s*\{\{(.*?)\}\}")


@dataclasses.dataclass
class Expectation:
    severity: Severity
    line: int
    text: str
    annotation_line: int
    matched: bool = False


class VerifyDiagnostics:
    """--verify-diagnostics: every diagnostic expected, every expectation met."""

    def __init__(self, name: str, stream=sys.stderr):
        self.name = name
        self.stream = stream
        self.ok = True

    def expectations(self, chunk: Chunk) -> list[Expectation]:
        found = []
        for i, line in enumerate(chunk.text.splitlines()):
            here = chunk.line_offset + i + 1
            for m in _EXPECTED.finditer(line):
                where = m.group(2)
                if where is None:
                    target = here
                elif where == "above":
                    target = here - 1
                elif where == "below":
                    target = here + 1
                elif where[0] in "+-":
                    target = here + int(where)
                else:
                    target = int(where)
                found.append(Expectation(Severity(m.group(1)), target, m.group(3), here))
        return found

    def report(self, pos: Position | str, message: str) -> None:
        self.ok = False
        print(f"{pos}: error: {message}", file=self.stream)

    def check(self, chunk: Chunk, diagnostics: list[Diagnostic]) -> None:
        expected = self.expectations(chunk)
        flat: list[Diagnostic] = []
        for d in diagnostics:
            flat.append(d)
            flat.extend(d.notes)
        for d in flat:
            match = next((e for e in expected if not e.matched and e.severity is d.severity
                          and e.line == d.pos.line and d.pos.file == self.name
                          and e.text in d.message), None)
            if match is None:
                self.report(d.pos, f"unexpected {d.severity.value}: {d.message}")
            else:
                match.matched = True
        for e in expected:
            if not e.matched:
                self.report(f"{self.name}:{e.annotation_line}",
                            f"expected {e.severity.value} \"{e.text}\" was not produced")
