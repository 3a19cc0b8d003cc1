"""Textual pass pipelines: gasync's Python passes, gasync's named pipelines and
upstream MLIR passes, mixed, by name, e.g.
`builtin.module(gasync-verify,canonicalize,func.func(cse),gpu.module(gasync-coro-lower))`.

The LLVM 22 bindings cannot register a Python pass under a name that
`PassManager.parse` finds, and have no `nest()`: a Python pass is added to a
pass manager with `PassManager.add(callable)` and runs on the pass manager's
own anchor (one anchored on another op aborts the process). So the pipeline
text is resolved here, into steps:

- an upstream element becomes its text, added with `PassManager.add(text)`
  (MLIR nests it: `func.func(cse)`, `gpu.module(canonicalize)`);
- a gasync pass becomes a Python pass on builtin.module; inside
  `gpu.module(...)` it runs, from builtin.module, on each gpu.module in turn
  (what MLIR's nesting would do: a gpu.module is isolated from above);
- a named pipeline is expanded into its stages.

`PassPipeline` holds the steps: it prints as a pipeline text with every
option spelled out (which parses back to the same pipeline), runs on a
module, raising `gasync.CompileError` with the located diagnostics, or adds
its passes to a caller's own PassManager. docs/embedding.md shows how.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import functools
import mmap
import os
import re
import struct
import sys
import tempfile
import traceback
import typing

from mlir import ir
from mlir.passmanager import PassManager

from gasync.dialect.context import caller_allows_unregistered, prepare_context
from gasync.dialect.diagnostics import CompileError, DiagnosticEngine, Severity
from gasync.passes import PASSES, ModulePass, PassContext
from gasync.runtime.errors import UsageError

from .pipelines import PIPELINES
from .upstream_guards import Guard, first_unsafe_op, guarded_passes, refusal

MODULE = "builtin.module"
GASYNC_ANCHORS = (MODULE, "gpu.module")
"""The ops gasync passes run on: a module and its gpu.modules (both hold one
block of symbols)."""


class PipelineError(UsageError):
    """A pipeline text that does not parse, names an unknown pass or gives a
    pass options it does not take."""


# Suggestions -------------------------------------------------------------------

def did_you_mean(word: str, candidates, prefix: str = "") -> str:
    """'; did you mean 'x'?' for the closest candidate, or ''."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.7)
    return f"; did you mean '{prefix}{close[0]}'?" if close else ""


def _rodata(data) -> memoryview:
    """The `.rodata` section of a 64-bit little-endian ELF file (all of `data`
    if it is not one): where a shared library keeps its string constants."""
    view = memoryview(data)
    if bytes(view[:6]) != b"\x7fELF\x02\x01":
        return view
    (shoff,) = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)

    def section(i):  # (name offset, file offset, size)
        name, _, _, _, offset, size = struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize)
        return name, offset, size

    names = section(shstrndx)[1]
    for i in range(shnum):
        name, offset, size = section(i)
        if bytes(view[names + name : names + name + 8]) == b".rodata\x00":
            return view[offset : offset + size]
    return view


@functools.lru_cache(maxsize=1)
def _library_identifiers() -> tuple[str, ...]:
    """Every NUL-terminated lower-case identifier among the string constants of
    the bindings' MLIR library.

    The bindings cannot list the registered passes, but each pass's argument
    is a string constant of that library; a candidate found here is only
    suggested once a PassManager accepts it (`upstream_pass_suggestion`).
    """
    import mlir._mlir_libs as libs

    path = os.path.join(os.path.dirname(libs.__file__), "libMLIRPythonCAPI.so")
    try:
        with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
            strings = _rodata(data)
            found = {m.group(1).decode() for m in
                     re.finditer(rb"[\x00.$_]([a-z][a-z0-9]*(?:[-_][a-z0-9]+)*)\x00", strings)}
            strings.release()
    except (OSError, ValueError, struct.error):
        return ()
    # The linker stores a string once when it ends another ("cse" inside
    # "transform.apply_cse"), so every tail after a separator is a candidate too.
    tails = {word[i + 1:] for word in found for i, c in enumerate(word) if c in "-_"}
    return tuple(sorted(w for w in found | tails if w))


def is_upstream_pass(name: str, context: ir.Context) -> bool:
    """Whether MLIR knows a pass or pass pipeline called `name`."""
    with captured_stderr():
        try:
            PassManager(MODULE, context).add(name)
        except ValueError:
            return False
    return True


def upstream_pass_suggestion(name: str, context: ir.Context) -> str | None:
    """The upstream pass whose name is closest to `name`, if one is close."""
    for candidate in difflib.get_close_matches(name, _library_identifiers(), n=20, cutoff=0.75):
        if is_upstream_pass(candidate, context):
            return candidate
    return None


def pass_name_suggestion(name: str, context: ir.Context) -> str | None:
    """The gasync or upstream pass or pipeline closest to `name`."""
    ours = difflib.get_close_matches(name, list(PASSES) + list(PIPELINES), n=1, cutoff=0.7)
    return ours[0] if ours else upstream_pass_suggestion(name, context)


# Capturing what LLVM prints ------------------------------------------------------

@contextlib.contextmanager
def captured_stderr():
    """Collect what C++ code writes to file descriptor 2 (LLVM's option parser
    prints bad option values there; MLIR prints its reports there) into the
    list this yields, instead of letting it reach the terminal."""
    sys.stderr.flush()
    saved = os.dup(2)
    text: list[str] = []
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield text
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            text.append(sink.read().decode(errors="replace"))


# The pipeline text -------------------------------------------------------------

@dataclasses.dataclass
class Element:
    name: str
    options: str = ""
    nested: list["Element"] | None = None

    def text(self) -> str:
        out = self.name
        if self.options:
            out += "{" + self.options + "}"
        if self.nested is not None:
            out += "(" + ",".join(e.text() for e in self.nested) + ")"
        return out


def parse_elements(text: str) -> list[Element]:
    """Parse `a,b{x=1},c(d,e)` into elements."""
    pos = 0

    def skip_space():
        nonlocal pos
        while pos < len(text) and text[pos].isspace():
            pos += 1

    def parse_list(closing: str | None) -> list[Element]:
        nonlocal pos
        elements = []
        skip_space()
        if closing and pos < len(text) and text[pos] == closing:
            return elements
        while True:
            elements.append(parse_element())
            skip_space()
            if pos < len(text) and text[pos] == ",":
                pos += 1
                continue
            return elements

    def parse_element() -> Element:
        nonlocal pos
        skip_space()
        start = pos
        while pos < len(text) and (text[pos].isalnum() or text[pos] in "-_."):
            pos += 1
        name = text[start:pos]
        if not name:
            raise PipelineError(f"expected a pass name at offset {start} of '{text}'")
        element = Element(name)
        skip_space()
        if pos < len(text) and text[pos] == "{":
            depth, start = 0, pos
            while pos < len(text):
                depth += {"{": 1, "}": -1}.get(text[pos], 0)
                pos += 1
                if depth == 0:
                    break
            if depth:
                raise PipelineError(f"unbalanced '{{' in '{text}'")
            element.options = text[start + 1 : pos - 1].strip()
            skip_space()
        if pos < len(text) and text[pos] == "(":
            pos += 1
            element.nested = parse_list(")")
            skip_space()
            if pos >= len(text) or text[pos] != ")":
                raise PipelineError(f"expected ')' in '{text}'")
            pos += 1
        return element

    elements = parse_list(None)
    skip_space()
    if pos != len(text):
        raise PipelineError(f"unexpected '{text[pos:]}' in pass pipeline '{text}'")
    return elements


# Steps ---------------------------------------------------------------------------

def pass_text(p: ModulePass) -> str:
    """`name{opt=value ...}` with every option of `p`, as `from_options` reads it."""
    hints = typing.get_type_hints(type(p))
    items = []
    for field in p.options():
        value = getattr(p, field.name)
        if hints[field.name] is bool:
            value = "true" if value else "false"
        items.append(f"{field.name.replace('_', '-')}={value}")
    return p.name + ("{" + " ".join(items) + "}" if items else "")


@dataclasses.dataclass(frozen=True)
class GasyncStep:
    """A gasync pass, run on the module (`anchor` builtin.module) or on each of
    its gpu.modules."""

    pass_: ModulePass
    anchor: str = MODULE

    def text(self) -> str:
        inner = pass_text(self.pass_)
        return inner if self.anchor == MODULE else f"{self.anchor}({inner})"


@dataclasses.dataclass(frozen=True)
class UpstreamStep:
    """Upstream MLIR passes, as MLIR prints them (every option spelled out).
    `guards`: the checks that refuse IR these passes would abort on
    (pipeline/upstream_guards.py); they run right before them."""

    text_: str
    guards: tuple[Guard, ...] = ()

    def text(self) -> str:
        return self.text_


Step = GasyncStep | UpstreamStep


def _names_gasync(element: Element) -> bool:
    if element.name in PASSES or element.name in PIPELINES:
        return True
    return any(_names_gasync(e) for e in element.nested or ())


def _names(element: Element) -> list[str]:
    """The names of `element` and of every element nested in it."""
    return [element.name] + [n for e in element.nested or () for n in _names(e)]


def _option_hint(options: str, known: list[str]) -> str:
    """A 'did you mean' for the first option key of `options` not in `known`."""
    for item in options.split():
        key = item.partition("=")[0]
        if key not in known:
            return did_you_mean(key, known)
    return ""


def _gasync_pass(element: Element) -> ModulePass:
    cls = PASSES[element.name]
    try:
        return cls.from_options(element.options)
    except ValueError as e:
        known = [f.name.replace("_", "-") for f in cls.options()]
        raise PipelineError(f"{e}{_option_hint(element.options, known)}") from None


def _expand_pipeline(element: Element) -> list[Element]:
    p = PIPELINES[element.name]
    try:
        return parse_elements(p.expand(element.options))
    except ValueError as e:
        raise PipelineError(f"{e}{_option_hint(element.options, [k for k, _ in p.defaults])}") \
            from None


def _upstream_step(text: str, context: ir.Context, guards: tuple[Guard, ...] = ()) -> UpstreamStep:
    """Check `text` with MLIR; the step holds MLIR's own printing of it."""
    scratch = PassManager(MODULE, context)
    with captured_stderr() as printed:
        try:
            scratch.add(text)
            error = None
        except ValueError as e:
            error = str(e)
    if error is None:
        printed_text = str(scratch)
        return UpstreamStep(printed_text[len(MODULE) + 1 : -1], guards)
    unknown = re.search(r"'([^']*)' does not refer to a registered pass", error)
    if unknown:
        name = unknown.group(1)
        hint = pass_name_suggestion(name, context)
        raise PipelineError(f"unknown pass or pipeline '{name}'"
                            + (f"; did you mean '{hint}'?" if hint else ""))
    raise PipelineError(_upstream_option_error(text, error + "\n" + printed[0], context))


def _upstream_option_error(text: str, report: str, context: ir.Context) -> str:
    """A one-line error from what MLIR and LLVM's option parser said about `text`."""
    failed = re.search(r"failed to add `([^`]*)` with options `([^`]*)`", report)
    if failed is None:
        return f"invalid pass pipeline '{text}': " + "; ".join(
            line.strip() for line in report.splitlines() if line.strip())
    name = failed.group(1)
    no_such = re.search(r"no such option (\S+)", report)
    if no_such:
        defaults = str(_upstream_step(name, context).text())
        known = re.findall(r"([\w-]+)=", defaults)
        return (f"pass '{name}' has no option '{no_such.group(1)}'"
                f"{did_you_mean(no_such.group(1), known)}")
    bad_value = re.search(r"for the -+([\w-]+) option: (.*)", report)
    if bad_value:
        return (f"option '{bad_value.group(1)}' of pass '{name}': "
                f"{bad_value.group(2).strip().rstrip('!')}")
    return f"invalid options '{failed.group(2)}' for pass '{name}'"


def resolve(elements: list[Element], context: ir.Context, anchor: str = MODULE) -> list[Step]:
    """The steps `elements` stand for, run from builtin.module."""
    steps: list[Step] = []
    for element in elements:
        if element.name in PASSES:
            if element.nested is not None:
                raise PipelineError(f"'{element.name}' is a pass, not an op to nest passes in")
            steps.append(GasyncStep(_gasync_pass(element), anchor))
        elif element.name in PIPELINES:
            if element.nested is not None:
                raise PipelineError(f"'{element.name}' is a pipeline, not an op to nest passes in")
            steps += resolve(_expand_pipeline(element), context, anchor)
        elif element.nested is not None and element.name == MODULE and anchor == MODULE:
            steps += resolve(element.nested, context, anchor)
        elif element.nested is not None and _names_gasync(element):
            if anchor != MODULE or element.name not in GASYNC_ANCHORS:
                where = f"{anchor}({element.name}(...))" if anchor != MODULE else element.name
                raise PipelineError(
                    f"gasync passes cannot run nested in '{where}': they run on builtin.module "
                    "and on gpu.module directly inside it (the MLIR Python bindings cannot "
                    "nest a Python pass; gasync runs it on each gpu.module itself)")
            steps += resolve(element.nested, context, element.name)
        else:
            text = element.text() if anchor == MODULE else f"{anchor}({element.text()})"
            steps.append(_upstream_step(text, context, tuple(guarded_passes(_names(element)))))
    return steps


# Running -------------------------------------------------------------------------

def _fail_with_new_errors(op, pass_, ctx: PassContext, first_new: int, forward: bool) -> None:
    """Fail the running pass if errors were reported since `first_new`. With
    `forward` (a caller's own pass manager) they are also emitted as MLIR
    diagnostics, so that the MLIRError its `run` raises carries them."""
    errors = [d for d in ctx.diags.diagnostics[first_new:] if d.severity is Severity.ERROR]
    if not errors:
        return
    if forward:
        for d in errors:
            text = "\n".join([d.message] + [n.render() for n in d.notes])
            ir.Location.file(d.pos.file, d.pos.line, d.pos.col,
                             context=op.context).emit_error(text)
    pass_.signal_pass_failure()


def _python_pass_runner(step: GasyncStep, ctx: PassContext, forward: bool):
    """The callable `PassManager.add` takes for a gasync step."""
    p = step.pass_

    def apply(op: ir.Operation) -> None:
        try:
            # gasync's passes build IR in the current context, at an unknown
            # location unless they say otherwise; a caller's pass manager may
            # run outside `with context:`
            with op.context, ir.Location.unknown(op.context):
                p.apply(op, ctx)
        except CompileError:
            pass
        except Exception as e:  # an internal error must still read as a diagnostic
            ctx.diags.error(op.location, f"internal error in pass '{p.name}': "
                                         f"{type(e).__name__}: {e}")
            if os.environ.get("GASYNC_DEBUG"):  # for gasync's developers: where it broke
                traceback.print_exc()

    def run(op, pass_):
        first_new = len(ctx.diags.diagnostics)
        if step.anchor == MODULE:
            apply(op.operation)
        else:
            for inner in list(op.regions[0].blocks[0].operations):
                if inner.operation.name == step.anchor:
                    apply(inner.operation)
        _fail_with_new_errors(op, pass_, ctx, first_new, forward)

    run.__name__ = p.name.replace("-", "_")
    return run


def _guard_runner(guard: Guard, ctx: PassContext, forward: bool):
    """The callable `PassManager.add` takes for the check before an upstream
    pass that would abort on the IR (pipeline/upstream_guards.py)."""

    def run(op, pass_):
        first_new = len(ctx.diags.diagnostics)
        unsafe = first_unsafe_op(op.operation, guard)
        if unsafe is not None:
            ctx.diags.error(unsafe.location, refusal(guard, unsafe))
        _fail_with_new_errors(op, pass_, ctx, first_new, forward)

    return run


class PassPipeline:
    """A resolved pipeline: print it, run it, or add it to a PassManager.

    Build one with `gasync.passes.parse_pipeline(text, context)`.
    """

    def __init__(self, steps: list[Step], context: ir.Context, passes: PassContext):
        self.steps = steps
        self.context = context
        self.passes = passes

    def __str__(self) -> str:
        return f"{MODULE}(" + ",".join(s.text() for s in self.steps) + ")"

    def __repr__(self) -> str:
        return f"PassPipeline('{self}')"

    @property
    def diagnostics(self):
        """What the gasync passes reported so far (errors, warnings, remarks)."""
        return self.passes.diags.diagnostics

    def add_to(self, pm: PassManager, *, forward_errors: bool = True) -> PassManager:
        """Append the pipeline's passes to `pm` (anchored on builtin.module);
        returns `pm`. gasync passes' errors reach the MLIRError `pm.run`
        raises when `forward_errors` (the default)."""
        for step in self.steps:
            if isinstance(step, GasyncStep):
                pm.add(_python_pass_runner(step, self.passes, forward_errors),
                       name=step.pass_.name, argument=step.text())
            else:
                for guard in step.guards:
                    pm.add(_guard_runner(guard, self.passes, forward_errors),
                           name=f"check-before-{guard.pass_name}")
                pm.add(step.text())
        return pm

    def pass_manager(self) -> PassManager:
        """A new PassManager running this pipeline."""
        return self.add_to(PassManager(MODULE, self.context), forward_errors=False)

    def run(self, module) -> None:
        """Run on `module` (an ir.Module or builtin.module op), in place. Raises
        `gasync.CompileError` whose `diagnostics` are the located errors."""
        from .driver import ProgramError

        first_new = len(self.passes.diags.diagnostics)
        if not run_pass_manager(self.pass_manager(), getattr(module, "operation", module),
                                self.passes):
            raise ProgramError(self.passes.diags.diagnostics[first_new:])


def build_pipeline(pipeline: str | list[Element], context: ir.Context,
                   passes: PassContext) -> PassPipeline:
    if isinstance(pipeline, str):
        elements = parse_elements(pipeline) if pipeline.strip() else []
    else:
        elements = pipeline
    return PassPipeline(resolve(elements, context), context, passes)


def parse_pass_pipeline(text: str, context: ir.Context | None = None, *,
                        allow_unregistered: bool | None = None,
                        diagnostics: DiagnosticEngine | None = None) -> PassPipeline:
    """`gasync.passes.parse_pipeline`: see docs/embedding.md.

    `context` (default: the current one) is prepared for gasync
    (`prepare_context`). `allow_unregistered`: whether gasync-verify accepts
    ops of unregistered dialects other than gasync (default: whether the
    context allowed them before gasync prepared it). `diagnostics`: where the
    gasync passes report (default: collected, not printed).
    """
    context = context or ir.Context.current
    if context is None:
        raise UsageError("parse_pipeline needs a context: pass one or enter one")
    allow = caller_allows_unregistered(context) if allow_unregistered is None \
        else allow_unregistered
    prepare_context(context)
    diags = diagnostics or DiagnosticEngine(stream=None, echo=False)
    return build_pipeline(text, context, PassContext(diags, allow_unregistered=allow))


def build_pass_manager(pipeline: str | list[Element], context: ir.Context,
                       ctx: PassContext) -> PassManager:
    return build_pipeline(pipeline, context, ctx).pass_manager()


def run_pass_manager(pm: PassManager, module: ir.Operation, ctx: PassContext) -> bool:
    """Run `pm`; report any failure to ctx.diags; True on success."""
    errors_before = ctx.diags.error_count
    try:
        pm.run(module.operation)
    except ir.MLIRError as e:
        if ctx.diags.error_count == errors_before or e.error_diagnostics:
            ctx.diags.add_mlir_error(e, module.location)
        return False
    return ctx.diags.error_count == errors_before


def run_pipeline(pipeline: str, module: ir.Operation, ctx: PassContext) -> bool:
    pm = build_pass_manager(pipeline, module.context, ctx)
    return run_pass_manager(pm, module, ctx)
