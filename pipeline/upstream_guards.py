"""Upstream passes that abort the process on IR they cannot analyse, and the
checks that refuse them first with a located error.

MLIR's symbol-use analysis gives up on an op it does not know that holds
regions (it might be a symbol table), and some passes take every user of a
function for a call. gasync's ops are unregistered: an async block is such an
op with a region, and `gasync.future {callee = @f}` such a user. The passes
below assert instead of failing on them, killing the tool with SIGABRT:

- `inline`: "expected uses to be valid" (Inliner.cpp, walkReferencedSymbolNodes),
  on an unregistered op with regions;
- `remove-dead-values`: "expected a call-like user" (RemoveDeadValues.cpp,
  processFuncOp), on an unregistered op that names a function, and an empty
  optional's access on one with regions.

After the coroutine lowering no gasync op is left for them to abort on.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

from mlir import ir

from gasync.dialect.ir_utils import walk


def _holds_regions(op: ir.Operation) -> bool:
    return len(op.regions) > 0


def _holds_regions_or_symbol_reference(op: ir.Operation) -> bool:
    return _holds_regions(op) or any(
        isinstance(op.attributes[name], (ir.SymbolRefAttr, ir.FlatSymbolRefAttr))
        for name in op.attributes)


@dataclasses.dataclass(frozen=True)
class Guard:
    pass_name: str
    unsafe: Callable[[ir.Operation], bool]
    """Whether an unregistered op makes the pass abort."""
    why: str
    remedy: str


GUARDS = {g.pass_name: g for g in (
    Guard("inline", _holds_regions,
          "MLIR cannot list the symbol uses inside an op it does not know that holds regions "
          "(an async block), and its inliner aborts on it",
          "run it after gasync-outline-async-blocks, or after gasync-coro"),
    Guard("remove-dead-values", _holds_regions_or_symbol_reference,
          "the pass takes every user of a function for a call, or needs the symbol uses "
          "inside it, and aborts on an op it does not know that names a function or holds "
          "regions", "only IR without gasync ops, after gasync-coro, can be given to it"),
)}


def guarded_passes(names) -> list[Guard]:
    """The guards of the passes among `names`, in order, each once."""
    found: list[Guard] = []
    for name in names:
        guard = GUARDS.get(name)
        if guard is not None and guard not in found:
            found.append(guard)
    return found


def first_unsafe_op(module: ir.Operation, guard: Guard) -> ir.Operation | None:
    """The first unregistered op of `module` (pre-order) that `guard`'s pass aborts on."""
    context = module.context
    for op in walk(module):
        if not context.is_registered_operation(op.name) and guard.unsafe(op):
            return op
    return None


def refusal(guard: Guard, op: ir.Operation) -> str:
    return (f"pass '{guard.pass_name}' is not supported on IR that holds '{op.name}' here: "
            f"{guard.why} ({guard.remedy})")
