"""gasync-guard-division: integer division and remainder are defined for every
divisor.

LLVM leaves `x / 0`, `x % 0`, `INT_MIN / -1` and `INT_MIN % -1` undefined
(on x86 they raise SIGFPE; on NVIDIA GPUs they give unspecified values). This
pass makes them defined, for arith.divsi, divui, remsi, remui, ceildivsi,
ceildivui, floordivsi and llvm.sdiv, udiv, srem, urem, on integers, index
and vectors of them:

- a divisor of -1 in a signed op gives the wrapped result without dividing:
  `0 - x` for a quotient (INT_MIN / -1 is INT_MIN), 0 for a remainder;
- a divisor of 0 is a run-time fault (abi.Fault.DIVISION_BY_ZERO) naming
  the op's site (passes/site_table.py); the op then divides by 1, so the
  program goes on with a defined value until the host reports the fault.

The guard is a compare and a select on the divisor, and the fault call on a
cold path (an `llvm.intr.expect` of false). A constant divisor that needs
neither case is left alone.
"""

from __future__ import annotations

import dataclasses

from mlir import ir
from mlir.dialects import arith, llvm, scf, vector

from gasync.dialect.ir_utils import walk
from gasync.runtime import abi

from . import executor
from .base import ModulePass, PassContext, register
from .outline_async_blocks import nearest_symbol_table
from .site_table import SiteTable, source_function


@dataclasses.dataclass(frozen=True)
class Division:
    signed: bool
    remainder: bool


DIVISIONS = {
    "arith.divsi": Division(True, False), "arith.ceildivsi": Division(True, False),
    "arith.floordivsi": Division(True, False), "arith.remsi": Division(True, True),
    "arith.divui": Division(False, False), "arith.ceildivui": Division(False, False),
    "arith.remui": Division(False, True),
    "llvm.sdiv": Division(True, False), "llvm.srem": Division(True, True),
    "llvm.udiv": Division(False, False), "llvm.urem": Division(False, True),
}


def constant_divisor(value: ir.Value) -> int | None:
    """The divisor's value when it is a scalar or splat constant."""
    owner = value.owner
    owner = getattr(owner, "operation", owner)
    if not isinstance(owner, ir.Operation) or \
            owner.name not in ("arith.constant", "llvm.mlir.constant"):
        return None
    attr = owner.attributes["value"]
    if isinstance(attr, ir.IntegerAttr):
        return attr.value
    if isinstance(attr, ir.DenseIntElementsAttr) and attr.is_splat:
        return ir.IntegerAttr(attr.get_splat_value()).value
    return None


def splat(value_type: ir.Type, n: int) -> ir.Value:
    """The constant n of an integer, index or vector type."""
    if isinstance(value_type, ir.VectorType):
        element = ir.IntegerAttr.get(value_type.element_type, n)
        return arith.constant(value_type, ir.DenseElementsAttr.get_splat(value_type, element))
    return arith.constant(value_type, n)


@register
@dataclasses.dataclass(frozen=True)
class GuardDivisionPass(ModulePass):
    name = "gasync-guard-division"
    summary = ("make integer division defined: INT_MIN / -1 wraps, division by zero is a "
               "run-time fault naming the op")

    def apply(self, module: ir.Operation, ctx: PassContext) -> None:
        ops = [op for op in walk(module) if op.name in DIVISIONS]
        sites = SiteTable(module, ctx.diags.source_name)
        declared = set()
        for op in ops:
            divisor = constant_divisor(op.operands[1])
            kind = DIVISIONS[op.name]
            if divisor is not None and divisor != 0 and not (kind.signed and divisor == -1):
                continue
            table_op = nearest_symbol_table(op)
            if table_op not in declared:
                executor.declare_fault_hook(table_op)
                declared.add(table_op)
            site = sites.add(f"the {op.name}", source_function(op), op.location)
            self.guard(op, kind, site)
            ctx.stat(self.name, "divisions guarded", 1)
        sites.write()

    @staticmethod
    def guard(op: ir.Operation, kind: Division, site: int) -> None:
        x, d = op.operands[0], op.operands[1]
        t = d.type
        with op.location, ir.InsertionPoint(op):
            zero = splat(t, 0)
            is_zero = arith.cmpi(arith.CmpIPredicate.eq, d, zero)
            bad = is_zero
            if kind.signed:
                is_minus_one = arith.cmpi(arith.CmpIPredicate.eq, d, splat(t, -1))
                bad = arith.ori(is_zero, is_minus_one)
            op.operands[1] = arith.select(bad, splat(t, 1), d)
            any_zero = is_zero
            if isinstance(t, ir.VectorType):
                any_zero = vector.reduction(ir.IntegerType.get_signless(1),
                                            vector.CombiningKind.OR, is_zero)
            cold = llvm.intr_expect(any_zero, arith.constant(ir.IntegerType.get_signless(1), 0))
            if_zero = scf.IfOp(cold)
            with ir.InsertionPoint(if_zero.then_block):
                executor.report_fault(abi.Fault.DIVISION_BY_ZERO, site)
                scf.YieldOp([])
        if not kind.signed:
            return
        with op.location, ir.InsertionPoint(op):
            wrapped = zero if kind.remainder else arith.subi(zero, x)
            result = arith.select(is_minus_one, wrapped, op.results[0])
        select = result.owner.operation
        select.move_after(op)
        op.results[0].replace_all_uses_except(result, select)
