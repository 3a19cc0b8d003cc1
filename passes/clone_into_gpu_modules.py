"""gasync-clone-into-gpu-modules: one definition serves the CPU and the GPU.

A kernel inside a `gpu.module` may name an async function defined at the top
level (`gasync.future`/`gasync.then` callees are looked up outward: see
docs/design.md, "The dialect"). Device code can only call what its own module holds, so every
`func.func` reachable from a `gpu.module` through `callee` symbol references
(of gasync.future, gasync.then and func.call), directly or through other
cloned functions, and defined at the top level, is cloned into that
`gpu.module` under the same name. A symbol the `gpu.module` defines itself
shadows the top-level one, as in the verifier's lookup. Clones are private:
they serve the module's kernels only (the GPU pipeline gives them internal
linkage, so LLVM inlines and drops them). The top-level originals stay for
the CPU.
"""

from __future__ import annotations

import dataclasses

from mlir import ir

from gasync.dialect.catalogue import CALLEE
from gasync.dialect.ir_utils import flat_symbol, symbol_name, walk

from .base import ModulePass, PassContext, register

REFERENCING_OPS = ("gasync.future", "gasync.then", "func.call")


def callees(op: ir.Operation) -> list[tuple[ir.Operation, str]]:
    """(referencing op, symbol) for each callee reference nested in `op`."""
    found = []
    for inner in walk(op):
        if inner.name in REFERENCING_OPS and CALLEE in inner.attributes:
            name = flat_symbol(inner.attributes[CALLEE])
            if name is not None:
                found.append((inner, name))
    return found


@register
@dataclasses.dataclass(frozen=True)
class CloneIntoGpuModulesPass(ModulePass):
    name = "gasync-clone-into-gpu-modules"
    summary = "clone the top-level functions each gpu.module uses into it"

    def apply(self, module: ir.Operation, ctx: PassContext) -> None:
        top = ir.SymbolTable(module)
        for op in list(module.regions[0].blocks[0].operations):
            op = op.operation
            if op.name == "gpu.module":
                self.clone_into(op, top, ctx)

    def clone_into(self, gpu_module: ir.Operation, top: ir.SymbolTable, ctx: PassContext) -> None:
        table = ir.SymbolTable(gpu_module)
        body = gpu_module.regions[0].blocks[0]
        worklist = callees(gpu_module)
        while worklist:
            user, name = worklist.pop()
            if name in table:
                continue  # defined (or already cloned) in the gpu.module
            if name not in top:
                continue  # the verifier reports unknown callees
            source = top[name].operation
            if source.name != "func.func":
                ctx.diags.error(user.location, f"'{user.name}' in gpu.module "
                                f"@{symbol_name(gpu_module)} names @{name}, a "
                                f"'{source.name}' at the top level: only func.func ops "
                                "can be cloned into device code",
                                [(source.location, f"@{name} is defined here")])
                continue
            clone = source.clone(ip=ir.InsertionPoint(body))
            clone.attributes["sym_visibility"] = ir.StringAttr.get("private")
            table.insert(clone)
            ctx.stat(self.name, "functions cloned", 1)
            worklist.extend(callees(clone))
