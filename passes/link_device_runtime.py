"""gasync-link-device-runtime: merge the executor runtime into device code.

Runs on LLVM-dialect `gpu.module`s (after convert-gpu-to-nvvm). Every
function a `gpu.module` declares without a body, and every global it
references without defining, whose name is a symbol of a device runtime
library (runtime/device/executor.mlir, the executor's hooks;
runtime/device/hardware.mlir, the hardware futures' primitives), gets the
library's definition,
together with whatever that definition references in turn (the linking is
passes/runtime_library.py's, shared with gasync-link-cpu-runtime). The
runtime is thus linked as IR before LLVM optimisation, so it inlines (the alternative,
linking it as an object with nvJitLink, keeps calls across the object
boundary: `gasync_rt_*` calls would stay real calls).

Also, in each `gpu.module`, every private function with a body (the clones of
top-level functions, runtime functions, private helpers and the C-interface
wrappers the GPU lowering adds for them) gets internal linkage, so LLVM
inlines them and drops what is unused: the PTX keeps only the kernels and
what external code may call.
"""

from __future__ import annotations

import dataclasses

from mlir import ir

from gasync.dialect.ir_utils import flat_symbol, symbol_name

from .base import ModulePass, PassContext, register
from .runtime_library import (RuntimeLibrary, RuntimeLinkError, internal_linkage, is_declaration,
                              link, unresolved)

DEVICE_RUNTIME = (RuntimeLibrary(("device", "executor.mlir")),
                  RuntimeLibrary(("device", "hardware.mlir")))


@register
@dataclasses.dataclass(frozen=True)
class LinkDeviceRuntimePass(ModulePass):
    name = "gasync-link-device-runtime"
    summary = ("merge the executor runtime's definitions into each gpu.module that uses them; "
               "give private device functions internal linkage")

    def apply(self, module: ir.Operation, ctx: PassContext) -> None:
        gpu_modules = [op.operation for op in module.regions[0].blocks[0].operations
                       if op.operation.name == "gpu.module"]
        for gm in gpu_modules:
            self.unwrap_external_declarations(gm, ir.SymbolTable(gm))
            try:
                for library in DEVICE_RUNTIME:
                    ctx.stat(self.name, "runtime symbols linked",
                             link(gm, library, unresolved(gm)))
            except RuntimeLinkError as e:
                ctx.diags.error(e.loc, str(e))
                continue
            self.internalize(gm)

    @staticmethod
    def unwrap_external_declarations(gm: ir.Operation, table: ir.SymbolTable) -> None:
        """Undo the C-interface wrapping of external declarations.

        convert-gpu-to-nvvm asks for C wrappers on every func.func, so an
        external declaration `@f` becomes a definition whose body calls an
        external `@_mlir_ciface_f`. When both have the same type (no memref
        arguments), make `@f` a plain declaration again, so the runtime (or a
        `--link` object) defines `f` itself.
        """
        for op in list(gm.regions[0].blocks[0].operations):
            op = op.operation
            if op.name != "llvm.func" or is_declaration(op):
                continue
            name = symbol_name(op)
            wrapper_of = f"_mlir_ciface_{name}"
            if wrapper_of not in table:
                continue
            decl = table[wrapper_of].operation
            if not is_declaration(decl) or \
                    str(decl.attributes["function_type"]) != str(op.attributes["function_type"]):
                continue
            body = list(op.regions[0].blocks)
            ops = list(body[0].operations) if len(body) == 1 else []
            if len(ops) != 2 or ops[0].operation.name != "llvm.call" or \
                    flat_symbol(ops[0].operation.attributes["callee"]) != wrapper_of:
                continue
            table.erase(op)
            ir.SymbolTable.set_symbol_name(decl, name)

    @staticmethod
    def internalize(gm: ir.Operation) -> None:
        for op in gm.regions[0].blocks[0].operations:
            op = op.operation
            if op.name != "llvm.func" or is_declaration(op) or "gpu.kernel" in op.attributes:
                continue
            vis = op.attributes["sym_visibility"] if "sym_visibility" in op.attributes else None
            if vis is not None and ir.StringAttr(vis).value == "private":
                op.attributes["linkage"] = internal_linkage()
