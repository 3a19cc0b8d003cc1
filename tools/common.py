"""gasync-opt's pieces: reading and splitting input, running a pipeline on each
chunk (through the driver's Compilation), and --verify-diagnostics."""

from __future__ import annotations

import dataclasses
import errno
import re
import sys

from gasync.dialect.diagnostics import CompileError, Diagnostic, Position, Severity
from gasync.pipeline.driver import Compilation
from gasync.pipeline.manager import build_pass_manager, parse_pipeline, run_pass_manager

SPLIT_MARKER = "// -----"


@dataclasses.dataclass
class Chunk:
    text: str
    line_offset: int
    """How many lines of the file come before this chunk."""


def read_source(path: str) -> tuple[str, str]:
    """(name for diagnostics, text) of a file, or of stdin for '-'. Raises
    OSError when it cannot be read (stdin closed included) and
    UnicodeDecodeError when it is not UTF-8."""
    if path == "-":
        if sys.stdin is None:
            raise OSError(errno.EBADF, "standard input is closed")
        return "<stdin>", sys.stdin.read()
    with open(path) as f:
        return path, f.read()


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


def with_verify_first(pipeline: str) -> str:
    """gasync-verify runs before anything else, once."""
    elements = parse_pipeline(pipeline) if pipeline.strip() else []
    flat = elements
    if len(flat) == 1 and flat[0].name == "builtin.module" and flat[0].nested is not None:
        flat = flat[0].nested
    if flat and flat[0].name == "gasync-verify":
        return ",".join(e.text() for e in flat)
    return ",".join(["gasync-verify"] + [e.text() for e in flat])


@dataclasses.dataclass
class ChunkResult:
    ok: bool
    output: str | None


def compile_chunk(chunk: Chunk, name: str, pipeline: str, args,
                  checker: "VerifyDiagnostics | None") -> ChunkResult:
    compilation = Compilation(source_name=name, stream=None if checker else sys.stderr,
                              allow_unregistered=args.allow_unregistered_dialect)
    ok, output = False, None
    with compilation as c:
        try:
            module = c.parse(chunk.text, chunk.line_offset)
            pm = build_pass_manager(with_verify_first(pipeline), c.context, c.passes)
        except CompileError:
            module = None
        if module is not None:
            if args.mlir_print_ir_after_all:
                pm.enable_ir_printing(print_after_all=True)
            if args.mlir_timing:
                pm.enable_timing()
            if args.mlir_pass_statistics:
                pm.enable_statistics()
            ok = run_pass_manager(pm, module.operation, c.passes)
            if args.mlir_pass_statistics:
                print_statistics(c.passes)
            del pm
            if ok:
                output = module.operation.get_asm(
                    print_generic_op_form=args.mlir_print_op_generic,
                    enable_debug_info=args.mlir_print_debuginfo)
    if checker is not None:
        checker.check(chunk, compilation.diags.diagnostics)
    return ChunkResult(ok, output)


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
