"""gasync-lower-block-on: `block_on` outside async code becomes a poll loop.

The future's frame is an `llvm.alloca` in the entry block of the enclosing
function (so a block_on in a loop reuses one frame rather than growing the
stack); the future's creation becomes the call to its `init`, and the
block_on an `scf.while` that polls until ready, then reads the result slot.
Run after `gasync-coro-lower`, which gives every async function its frame
layout.
"""

from __future__ import annotations

import dataclasses

from mlir import ir
from mlir.dialects import arith, func, scf

from gasync.dialect.catalogue import CALLEE
from gasync.dialect.ir_utils import flat_symbol, lookup_symbol, walk

from . import frame as fr
from .base import ModulePass, PassContext, register


def enclosing_function(op: ir.Operation) -> ir.Operation:
    parent = op.parent
    while parent is not None and parent.name not in ("func.func", "gpu.func", "llvm.func"):
        parent = parent.parent
    return parent


@register
@dataclasses.dataclass(frozen=True)
class LowerBlockOnPass(ModulePass):
    name = "gasync-lower-block-on"
    summary = "lower gasync.block_on to a poll loop over a frame on the stack"

    def apply(self, module: ir.Operation, ctx: PassContext) -> None:
        for op in [op for op in walk(module) if op.name == "gasync.block_on"]:
            self.lower(op, ctx)

    def lower(self, op: ir.Operation, ctx: PassContext) -> None:
        loc = op.location
        creation = op.operands[0].owner
        creation = creation.operation if hasattr(creation, "operation") else creation
        if not isinstance(creation, ir.Operation) or creation.name != "gasync.future":
            ctx.diags.error(loc, "gasync.block_on of a value that is not a gasync.future is not "
                                 "supported")
            return
        callee = flat_symbol(creation.attributes[CALLEE])
        init_n, poll_n = fr.init_name(callee), fr.poll_name(callee)
        init = lookup_symbol(creation, init_n)
        if init is None or fr.FRAME_ATTR not in init.attributes:
            ctx.diags.error(loc, f"'@{callee}' has no lowered frame ('@{init_n}'): run "
                                 "gasync-coro-lower before gasync-lower-block-on")
            return
        layout = fr.FrameLayout.from_attribute(init.attributes[fr.FRAME_ATTR])
        function = enclosing_function(op)
        entry = function.regions[0].blocks[0]
        first = list(entry.operations)[0].operation
        with loc:
            frame = fr.frame_alloca(layout, loc=loc, ip=ir.InsertionPoint(first))
            with ir.InsertionPoint(creation):
                func.CallOp([], ir.FlatSymbolRefAttr.get(init_n), [frame] + list(creation.operands))
            with ir.InsertionPoint(op):
                loop = scf.WhileOp([], [])
                before = loop.before.blocks.append()
                with ir.InsertionPoint(before):
                    ready = func.CallOp([fr.i1()], ir.FlatSymbolRefAttr.get(poll_n), [frame]).result
                    pending = arith.xori(ready, arith.constant(fr.i1(), 1))
                    scf.ConditionOp(pending, [])
                after = loop.after.blocks.append()
                with ir.InsertionPoint(after):
                    scf.YieldOp([])
                if len(op.results):
                    value = fr.load(op.results[0].type, frame, layout.result_offset, loc=loc,
                                    ip=None)
                    op.results[0].replace_all_uses_with(value)
        op.erase()
        creation.erase()
        ctx.stat(self.name, "block_on lowered", 1)
