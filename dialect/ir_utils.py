"""Small helpers over the MLIR Python bindings, shared by the dialect and passes."""

from __future__ import annotations

from typing import Iterator

from mlir import ir

SYMBOL_TABLE_OPS = ("builtin.module", "gpu.module")
LOOP_OPS = ("scf.for", "scf.while", "scf.parallel", "scf.forall", "affine.for", "affine.parallel")
FUNCTION_OPS = ("func.func", "gpu.func", "llvm.func")


def walk(op: ir.Operation) -> list[ir.Operation]:
    """Every op nested in `op` (not `op` itself), in pre-order.

    MLIR's own walk collects them (a Python stack over `op.regions` took 4x
    as long: every region, block and op list is a Python object), without
    Python's recursion limit for programs that nest regions thousands deep.
    The list is taken before the caller sees any op, so the caller may
    change the IR while it goes through it, as long as it does not erase
    ops it has yet to reach."""
    found: list[ir.Operation] = []

    def visit(inner: ir.Operation) -> ir.WalkResult:
        found.append(inner)
        return ir.WalkResult.ADVANCE

    op.walk(visit, ir.WalkOrder.PRE_ORDER)
    return found[1:]


def ancestors(op: ir.Operation) -> Iterator[ir.Operation]:
    """The ops enclosing `op`, innermost first."""
    parent = op.parent
    while parent is not None:
        parent = parent.operation
        yield parent
        parent = parent.parent


def same_op(a: ir.Operation | None, b: ir.Operation | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.operation == b.operation


def is_ancestor(anc: ir.Operation, op: ir.Operation) -> bool:
    """Whether `anc` properly encloses `op`."""
    return any(same_op(a, anc) for a in ancestors(op))


def symbol_name(op: ir.Operation) -> str | None:
    attrs = op.attributes
    if "sym_name" not in attrs:
        return None
    return ir.StringAttr(attrs["sym_name"]).value


def flat_symbol(attr: ir.Attribute) -> str | None:
    try:
        return ir.FlatSymbolRefAttr(attr).value
    except ValueError:
        return None


class SymbolIndex:
    """Symbol lookups through one `ir.SymbolTable` per symbol-table op, built on
    its first lookup and kept for the index's life: building one indexes the
    whole table, so a table per lookup made n lookups n^2. Make one per pass
    run; symbols added or erased after a table's first lookup are not seen."""

    def __init__(self):
        self._tables: dict[ir.Operation, ir.SymbolTable] = {}

    def lookup(self, from_op: ir.Operation, name: str) -> ir.Operation | None:
        """`name` in the symbol tables enclosing `from_op`, innermost first."""
        for anc in ancestors(from_op):
            if anc.name in SYMBOL_TABLE_OPS:
                table = self._tables.get(anc)
                if table is None:
                    table = self._tables[anc] = ir.SymbolTable(anc)
                if name in table:
                    return table[name].operation
        return None


def function_type(func_op: ir.Operation) -> ir.FunctionType:
    return ir.FunctionType(ir.TypeAttr(func_op.attributes["function_type"]).value)


def has_body(func_op: ir.Operation) -> bool:
    return len(func_op.regions) > 0 and len(func_op.regions[0].blocks) > 0


def block_of(op: ir.Operation) -> ir.Block:
    return op.block


def op_index(op: ir.Operation) -> int:
    for i, other in enumerate(op.block.operations):
        if other.operation == op:
            return i
    raise ValueError("op not found in its block")


def defining_op(value: ir.Value) -> ir.Operation | None:
    """The op that defines `value`, or None for a block argument."""
    if isinstance(value.owner, ir.Block):
        return None
    return value.owner.operation


def value_block(value: ir.Value) -> ir.Block:
    owner = value.owner
    if isinstance(owner, ir.Block):
        return owner
    return owner.operation.block


def block_key(block: ir.Block):
    """A hashable identity for a block (ir.Block objects are not hashable)."""
    return block


def successors(block: ir.Block) -> list[ir.Block]:
    ops = list(block.operations)
    if not ops:
        return []
    return list(ops[-1].operation.successors)
