"""gasync-outline-async-blocks: async blocks become async functions.

`"gasync.future"() ({ body })` turns into a private async function whose
parameters are the values the body captures from above, and the block
becomes a call-form future of it, so coroutine lowering only ever sees
async functions. Innermost blocks go first: an outer block then captures the
inner one's captures.
"""

from __future__ import annotations

import dataclasses

from mlir import ir
from mlir.dialects import func

from gasync.dialect import types as gt
from gasync.dialect.catalogue import ASYNC_ATTR, CALLEE
from gasync.dialect.ir_utils import SYMBOL_TABLE_OPS, ancestors, is_ancestor, symbol_name, walk
from gasync.dialect.verifier import is_async_block

from .base import ModulePass, PassContext, register


def captured_values(op: ir.Operation) -> list[ir.Value]:
    """Values used inside `op`'s regions but defined outside, in first-use order."""
    seen, captured = set(), []
    for inner in walk(op):
        for v in inner.operands:
            if v in seen:
                continue
            seen.add(v)
            owner = v.owner
            owner_op = owner.owner if isinstance(owner, ir.Block) else owner
            owner_op = owner_op.operation
            if not (owner_op == op or is_ancestor(op, owner_op)):
                captured.append(v)
    return captured


def unique_symbol(table: ir.SymbolTable, base: str) -> str:
    if base not in table:
        return base
    n = 1
    while f"{base}_{n}" in table:
        n += 1
    return f"{base}_{n}"


def nearest_symbol_table(op: ir.Operation) -> ir.Operation:
    return next(a for a in ancestors(op) if a.name in SYMBOL_TABLE_OPS)


def top_level_ancestor(op: ir.Operation, table_op: ir.Operation) -> ir.Operation:
    """The op directly inside `table_op` that encloses `op`."""
    child = op
    for anc in ancestors(op):
        if anc == table_op:
            return child
        child = anc
    raise ValueError("op is not inside the symbol table")


@register
@dataclasses.dataclass(frozen=True)
class OutlineAsyncBlocksPass(ModulePass):
    name = "gasync-outline-async-blocks"
    summary = "turn each async block into an async function of its captured values"

    def apply(self, module: ir.Operation, ctx: PassContext) -> None:
        blocks = [op for op in walk(module) if is_async_block(op)]
        # post-order: inner blocks (found later in pre-order) first
        for op in reversed(blocks):
            self.outline(op, ctx)
            ctx.stat(self.name, "async blocks outlined", 1)

    def outline(self, op: ir.Operation, ctx: PassContext) -> None:
        loc = op.location
        region = op.regions[0]
        entry = region.blocks[0]
        if len(entry.arguments):
            ctx.diags.error(loc, "an async block's body cannot take block arguments")
            return
        captured = captured_values(op)
        for v in captured:
            if gt.is_handle_type(v.type):
                ctx.diags.error(loc, "capturing a future in an async block is not supported")
                return
        value = gt.value_type(op.results[0].type)
        table_op = nearest_symbol_table(op)
        table = ir.SymbolTable(table_op)
        anchor = top_level_ancestor(op, table_op)
        base = symbol_name(anchor) or "async"
        name = unique_symbol(table, f"{base}$block")
        ftype = ir.FunctionType.get([v.type for v in captured], gt.value_types(value))
        with loc:
            fn = func.FuncOp(name, ftype, visibility="private", ip=ir.InsertionPoint(anchor))
        fn.operation.attributes[ASYNC_ATTR] = ir.UnitAttr.get()
        for block in list(region.blocks):
            block.append_to(fn.regions[0])
        new_entry = fn.regions[0].blocks[0]
        for v in captured:
            arg = new_entry.add_argument(v.type, loc)
            for use in list(v.uses):
                owner = use.owner.operation
                if is_ancestor(fn.operation, owner):
                    owner.operands[use.operand_number] = arg
        for inner in list(walk(fn.operation)):
            if inner.name == "gasync.return":
                func.ReturnOp(list(inner.operands), loc=inner.location, ip=ir.InsertionPoint(inner))
                inner.erase()
        new_future = ir.Operation.create(
            "gasync.future", results=[op.results[0].type], operands=captured,
            attributes={CALLEE: ir.FlatSymbolRefAttr.get(name)}, loc=loc, ip=ir.InsertionPoint(op))
        op.results[0].replace_all_uses_with(new_future.results[0])
        op.erase()
