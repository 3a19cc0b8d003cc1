"""gasync-check-bounds: array accesses marked `gasync.bounds_check` fault when
out of bounds instead of reading or writing outside the array.

A memref.load or memref.store carrying the unit attribute
`gasync.bounds_check` (the Python frontend puts it on every array access of a
function compiled with `bounds_check=True`) is guarded: when any index is
outside [0, dim), it reports a run-time fault (abi.Fault.OUT_OF_BOUNDS)
naming the access's site (passes/site_table.py), a load gives 0 and a store
does nothing, so the program goes on with defined values until the host
reports the fault (as gasync-guard-division does). Unmarked accesses are left
alone: out of bounds stays undefined there.

The check is one unsigned compare per index against memref.dim (a negative
index is a huge unsigned one), and the access moves into an scf.if whose
other branch, the fault, is cold (an `llvm.intr.expect` of false).
"""

from __future__ import annotations

import dataclasses

from mlir import ir
from mlir.dialects import arith, llvm, memref, scf

from gasync.dialect.ir_utils import walk
from gasync.runtime import abi

from . import executor
from .base import ModulePass, PassContext, register
from .outline_async_blocks import nearest_symbol_table
from .site_table import SiteTable, source_function

BOUNDS_CHECK_ATTR = "gasync.bounds_check"
ACCESSES = {"memref.load": 0, "memref.store": 1}
"""The checked ops and where their memref operand is (the indices follow it)."""


def zero_of(t: ir.Type) -> ir.Value:
    if isinstance(t, (ir.F16Type, ir.BF16Type, ir.F32Type, ir.F64Type)):
        return arith.constant(t, ir.FloatAttr.get(t, 0.0))
    return arith.constant(t, 0)


@register
@dataclasses.dataclass(frozen=True)
class CheckBoundsPass(ModulePass):
    name = "gasync-check-bounds"
    summary = ("array accesses marked gasync.bounds_check fault when out of bounds (a load "
               "gives 0, a store does nothing)")

    def apply(self, module: ir.Operation, ctx: PassContext) -> None:
        ops = [op for op in walk(module)
               if op.name in ACCESSES and BOUNDS_CHECK_ATTR in op.attributes]
        sites = SiteTable(module, ctx.diags.source_name)
        declared = set()
        for op in ops:
            table_op = nearest_symbol_table(op)
            if table_op not in declared:
                executor.declare_fault_hook(table_op)
                declared.add(table_op)
            what = "the array load" if op.name == "memref.load" else "the array store"
            self.guard(op, sites.add(what, source_function(op), op.location))
            ctx.stat(self.name, "accesses checked", 1)
        sites.write()

    @staticmethod
    def guard(op: ir.Operation, site: int) -> None:
        del op.attributes[BOUNDS_CHECK_ATTR]
        position = ACCESSES[op.name]
        array = op.operands[position]
        indices = list(op.operands)[position + 1:]
        i1 = ir.IntegerType.get_signless(1)
        index = ir.IndexType.get()
        with op.location, ir.InsertionPoint(op):
            true = arith.constant(i1, 1)
            inside = true
            for d, i in enumerate(indices):
                dim = memref.dim(array, arith.constant(index, d))
                inside = arith.andi(inside, arith.cmpi(arith.CmpIPredicate.ult, i, dim))
            expected = llvm.intr_expect(inside, true)
            results = [r.type for r in op.results]
            checked = scf.IfOp(expected, results, has_else=True)
            with ir.InsertionPoint(checked.then_block):
                then_yield = scf.YieldOp(list(op.results))
            with ir.InsertionPoint(checked.else_block):
                executor.report_fault(abi.Fault.OUT_OF_BOUNDS, site)
                scf.YieldOp([zero_of(t) for t in results])
        op.move_before(then_yield)
        for old, new in zip(op.results, checked.results):
            old.replace_all_uses_except(new, then_yield.operation)
