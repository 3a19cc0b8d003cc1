"""Compiler-style diagnostics for gasync's Python passes and tools.

MLIR's own diagnostics (the parser, the verifier, upstream passes) and the
ones our Python passes raise end up in one `DiagnosticEngine`, printed the
way mlir-opt prints them (`file:line:col: error: message`) and matched by
`--verify-diagnostics`.
"""

from __future__ import annotations

import dataclasses
import enum
import sys
from typing import Iterable, TextIO

from mlir import ir


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"
    REMARK = "remark"


_FROM_MLIR = {
    ir.DiagnosticSeverity.ERROR: Severity.ERROR,
    ir.DiagnosticSeverity.WARNING: Severity.WARNING,
    ir.DiagnosticSeverity.NOTE: Severity.NOTE,
    ir.DiagnosticSeverity.REMARK: Severity.REMARK,
}


@dataclasses.dataclass(frozen=True)
class Position:
    """A resolved source position; line and column are 1-based, 0 if unknown."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        if self.line == 0:
            return f"{self.file}" if self.file else "<unknown>"
        return f"{self.file}:{self.line}:{self.col}"


UNKNOWN = Position("", 0, 0)
PARSE_BUFFER = "-"
"""The buffer name `ir.Module.parse` gives every location it creates."""


def name_parse_buffer(op: ir.Operation, name: str) -> None:
    """Make the locations `ir.Module.parse` gave `op` and everything in it
    (file locations in its buffer `PARSE_BUFFER`, alone or under a name) point
    into the file `name`, as mlir-opt names its buffer after its input: the
    bindings' Module.parse takes no buffer name, and printed locations
    (--mlir-print-debuginfo) must name the source. Locations the source wrote
    itself in other forms (fused, call sites) are left as written."""
    def renamed(loc: ir.Location) -> ir.Location | None:
        names = []  # a loop, not recursion: names may nest deeper than Python recurses
        while loc.is_a_name():
            names.append(loc.name_str)
            loc = loc.child_loc
        if not loc.is_a_file() or loc.filename != PARSE_BUFFER:
            return None
        loc = ir.Location.file(name, loc.start_line, loc.start_col, context=loc.context)
        for outer in reversed(names):
            loc = ir.Location.name(outer, loc, context=loc.context)
        return loc

    def visit(inner: ir.Operation) -> ir.WalkResult:
        new = renamed(inner.location)
        if new is not None:
            inner.location = new
        for region in inner.regions:
            for block in region.blocks:
                for arg in block.arguments:
                    new = renamed(arg.location)
                    if new is not None:
                        arg.set_location(new)
        return ir.WalkResult.ADVANCE

    op.walk(visit, ir.WalkOrder.PRE_ORDER)


def position(loc: ir.Location | None) -> Position:
    """The source position a location points at (the innermost file:line:col)."""
    # A worklist, not recursion: locations may nest deeper than Python's
    # recursion limit. The parts of a fused location are tried in order, and
    # one without a line counts only outside a fused location.
    pending = [(loc, False)]
    while pending:
        loc, in_fused = pending.pop()
        if loc is None:
            continue
        if loc.is_a_file():
            if loc.start_line or not in_fused:
                return Position(loc.filename, loc.start_line, loc.start_col)
        elif loc.is_a_name():
            pending.append((loc.child_loc, in_fused))
        elif loc.is_a_callsite():
            pending.append((loc.callee, in_fused))
        elif loc.is_a_fused():
            pending.extend((inner, True) for inner in reversed(loc.locations))
    return UNKNOWN


@dataclasses.dataclass
class Diagnostic:
    severity: Severity
    pos: Position
    message: str
    notes: list["Diagnostic"] = dataclasses.field(default_factory=list)

    def render(self) -> str:
        lines = [f"{self.pos}: {self.severity.value}: {self.message}"]
        lines += [note.render() for note in self.notes]
        return "\n".join(lines)


class CompileError(Exception):
    """Raised to stop compilation after errors were reported to the engine."""


def in_source(pos: Position, source_name: str) -> Position:
    """`pos` with the parse buffer's name replaced by the source's (a file or "<stdin>")."""
    return Position(source_name, pos.line, pos.col) if pos.file == PARSE_BUFFER else pos


_UNRESOLVED_CALL = "does not reference a valid function"
_CALL_IN_ASYNC_BLOCK = (
    "a call inside an async block (a region of a gasync op) cannot be resolved by MLIR: "
    "gasync's ops are not registered with MLIR, which takes an unregistered op with a region "
    "for a possible symbol table; call the function from an async function "
    "(a func.func with gasync.async) instead")
"""MLIR's symbol verifier stops at the unregistered ops' regions, so a valid
`func.call` inside an async block reads as a call of a missing function."""


class DiagnosticEngine:
    """Collects diagnostics; prints them unless they are being verified."""

    def __init__(self, stream: TextIO | None = sys.stderr, *, echo: bool = True,
                 source_name: str = "-"):
        self.diagnostics: list[Diagnostic] = []
        self._errors = 0  # counted as they come: passes ask after every op
        self._seen: set[str] = set()
        self.stream = stream
        self.echo = echo
        # Module.parse names its buffer "-"; positions in it are shown under
        # the name of the file (or "<stdin>") the text came from.
        self.source_name = source_name

    def resolve(self, loc) -> Position:
        """Where `loc` points, in the source file (not the parse buffer)."""
        return in_source(loc if isinstance(loc, Position) else position(loc), self.source_name)

    # Reporting -----------------------------------------------------------
    def emit(self, severity: Severity, loc: ir.Location | Position | None, message: str,
             notes: Iterable[tuple[ir.Location | Position | None, str]] = ()) -> Diagnostic:
        diag = Diagnostic(severity, self.resolve(loc), message,
                          [Diagnostic(Severity.NOTE, self.resolve(n_loc), n_msg)
                           for n_loc, n_msg in notes])
        key = diag.render()
        if key in self._seen:  # the same check run twice reports once
            return diag
        self._seen.add(key)
        self.diagnostics.append(diag)
        self._errors += severity is Severity.ERROR
        if self.echo and self.stream is not None:
            print(diag.render(), file=self.stream)
        return diag

    def error(self, loc, message: str, notes=()) -> Diagnostic:
        return self.emit(Severity.ERROR, loc, message, notes)

    def warning(self, loc, message: str, notes=()) -> Diagnostic:
        return self.emit(Severity.WARNING, loc, message, notes)

    def remark(self, loc, message: str, notes=()) -> Diagnostic:
        return self.emit(Severity.REMARK, loc, message, notes)

    @property
    def error_count(self) -> int:
        return self._errors

    def has_errors(self) -> bool:
        return self.error_count > 0

    # MLIR's diagnostics --------------------------------------------------
    def add_mlir(self, diag) -> None:
        """Record a diagnostic from MLIR (an ir.Diagnostic or DiagnosticInfo)."""
        notes = [(note.location, note.message) for note in diag.notes]
        if _UNRESOLVED_CALL in diag.message:
            notes.append((diag.location, _CALL_IN_ASYNC_BLOCK))
        self.emit(_FROM_MLIR[diag.severity], diag.location, diag.message, notes)

    def capture(self, context: ir.Context):
        """Route the context's diagnostics here; returns the handler (detach it)."""

        def handler(diag) -> bool:
            self.add_mlir(diag)
            return True

        return context.attach_diagnostic_handler(handler)

    def add_mlir_error(self, error: ir.MLIRError, fallback: ir.Location | None = None) -> None:
        """Record what an MLIRError carries (a parse or pass-manager failure)."""
        if error.error_diagnostics:
            for diag in error.error_diagnostics:
                self.add_mlir(diag)
        else:
            self.error(fallback, str(error).strip() or "MLIR reported a failure")
