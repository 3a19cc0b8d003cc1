"""gasync-lower-combinators: `ready` and `then` become futures of async functions.

`gasync.ready(%v)` becomes a future of a generated async identity function,
and `gasync.then(%f, %extra...) {callee = @g}` a future of a generated
async function that recreates `%f` from its creation's operands, awaits it,
then awaits `@g(value, extra...)`. Creating a future runs nothing, so moving
its creation into the combinator's function changes no behaviour; after
inlining, both fold away.
"""

from __future__ import annotations

import dataclasses
import re

from mlir import ir
from mlir.dialects import func

from gasync.dialect import types as gt
from gasync.dialect.builders import await_, future
from gasync.dialect.catalogue import ASYNC_ATTR, CALLEE
from gasync.dialect.ir_utils import defining_op, flat_symbol, walk

from .base import ModulePass, PassContext, register
from .outline_async_blocks import nearest_symbol_table, top_level_ancestor, unique_symbol


def _mangle(t: ir.Type) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", str(t)).strip("_")


@register
@dataclasses.dataclass(frozen=True)
class LowerCombinatorsPass(ModulePass):
    name = "gasync-lower-combinators"
    summary = "turn gasync.ready and gasync.then into futures of generated async functions"

    def apply(self, module: ir.Operation, ctx: PassContext) -> None:
        # Definition order: a `then` whose operand is another `then` or a
        # `ready` sees it already lowered to a call-form future.
        for op in [op for op in walk(module) if op.name in ("gasync.ready", "gasync.then")]:
            if op.name == "gasync.ready":
                self.lower_ready(op)
            else:
                self.lower_then(op, ctx)
            ctx.stat(self.name, "combinators lowered", 1)

    @staticmethod
    def _new_async_function(op: ir.Operation, base: str, inputs, results) -> tuple[func.FuncOp, str]:
        table_op = nearest_symbol_table(op)
        table = ir.SymbolTable(table_op)
        name = unique_symbol(table, base)
        anchor = top_level_ancestor(op, table_op)
        fn = func.FuncOp(name, ir.FunctionType.get(inputs, results), visibility="private",
                         loc=op.location, ip=ir.InsertionPoint(anchor))
        fn.operation.attributes[ASYNC_ATTR] = ir.UnitAttr.get()
        return fn, name

    def _replace_with_future(self, op: ir.Operation, callee: str, args) -> None:
        new = ir.Operation.create("gasync.future", results=[op.results[0].type], operands=list(args),
                                  attributes={CALLEE: ir.FlatSymbolRefAttr.get(callee)},
                                  loc=op.location, ip=ir.InsertionPoint(op))
        op.results[0].replace_all_uses_with(new.results[0])
        op.erase()

    def lower_ready(self, op: ir.Operation) -> None:
        value_types = [v.type for v in op.operands]
        base = "gasync$ready$" + (_mangle(value_types[0]) if value_types else "none")
        table = ir.SymbolTable(nearest_symbol_table(op))
        if base in table:
            name = base
        else:
            fn, name = self._new_async_function(op, base, value_types, value_types)
            entry = fn.add_entry_block()
            func.ReturnOp(list(entry.arguments), loc=op.location, ip=ir.InsertionPoint(entry))
        self._replace_with_future(op, name, op.operands)

    def lower_then(self, op: ir.Operation, ctx: PassContext) -> None:
        loc = op.location
        source = defining_op(op.operands[0])
        if source is None or source.name != "gasync.future" or CALLEE not in source.attributes:
            ctx.diags.error(loc, "'gasync.then' of a future that is not created by gasync.future, "
                                 "gasync.ready or gasync.then in the same function is not supported")
            return
        source_args = list(source.operands)
        extra = list(op.operands)[1:]
        source_fut_type = source.results[0].type
        result_type = op.results[0].type
        callee = flat_symbol(op.attributes[CALLEE])
        fn, name = self._new_async_function(
            op, f"{callee}$then", [v.type for v in source_args + extra],
            gt.value_types(gt.value_type(result_type)))
        entry = fn.add_entry_block()
        args = list(entry.arguments)
        with loc, ir.InsertionPoint(entry):
            first = future(flat_symbol(source.attributes[CALLEE]), args[: len(source_args)],
                           source_fut_type)
            value = await_(first)
            second = future(callee, ([value] if value is not None else []) + args[len(source_args):],
                            result_type)
            result = await_(second)
            func.ReturnOp([result] if result is not None else [])
        self._replace_with_future(op, name, source_args + extra)
        if not list(source.results[0].uses):
            source.erase()
