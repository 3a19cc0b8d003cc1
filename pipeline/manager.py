"""Turn a textual pass pipeline into an MLIR PassManager and run it.

A pipeline mixes gasync's Python passes, gasync's named pipelines and any
upstream MLIR pass, all by name, e.g.
`builtin.module(gasync-verify,canonicalize,func.func(cse))`. Python passes
are added with `PassManager.add(callable)`, so MLIR's IR printing, timing and
verifier (run after every pass) see them as ordinary passes.
"""

from __future__ import annotations

import dataclasses
import os
import traceback

from mlir import ir
from mlir.passmanager import PassManager

from gasync.dialect.diagnostics import CompileError
from gasync.passes import PASSES, ModulePass, PassContext


class PipelineError(ValueError):
    """A pipeline text that does not parse or names an unknown pass."""


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


def parse_pipeline(text: str) -> list[Element]:
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


def _python_pass_runner(p: ModulePass, ctx: PassContext):
    def run(op, pass_):
        errors_before = ctx.diags.error_count
        try:
            p.apply(op.operation, ctx)
        except CompileError:
            pass
        except Exception as e:  # an internal error must still read as a diagnostic
            ctx.diags.error(op.location, f"internal error in pass '{p.name}': "
                                         f"{type(e).__name__}: {e}")
            if os.environ.get("GASYNC_DEBUG"):  # for gasync's developers: where it broke
                traceback.print_exc()
        if ctx.diags.error_count > errors_before:
            pass_.signal_pass_failure()

    run.__name__ = p.name.replace("-", "_")
    return run


def add_elements(pm: PassManager, elements: list[Element], ctx: PassContext) -> None:
    from .pipelines import PIPELINES

    for element in elements:
        if element.name in PASSES:
            if element.nested is not None:
                raise PipelineError(f"'{element.name}' is a pass, not an op to nest passes in")
            try:
                p = PASSES[element.name].from_options(element.options)
            except ValueError as e:  # an unknown option, or a value out of its range
                raise PipelineError(str(e)) from None
            pm.add(_python_pass_runner(p, ctx), name=p.name, argument=p.name)
        elif element.name in PIPELINES:
            try:
                stages = PIPELINES[element.name].expand(element.options)
            except ValueError as e:  # an unknown option
                raise PipelineError(str(e)) from None
            add_elements(pm, parse_pipeline(stages), ctx)
        elif element.name == "builtin.module" and element.nested is not None:
            add_elements(pm, element.nested, ctx)
        else:
            try:
                pm.add(element.text())
            except ValueError as e:
                raise PipelineError(f"unknown pass or pipeline '{element.name}': "
                                    f"{str(e).strip()}") from None


def build_pass_manager(pipeline: str | list[Element], context: ir.Context, ctx: PassContext) -> PassManager:
    pm = PassManager("builtin.module", context)
    elements = parse_pipeline(pipeline) if isinstance(pipeline, str) else pipeline
    add_elements(pm, elements, ctx)
    return pm


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
