"""gasync-link-cpu-runtime: merge the executor runtime's CPU hooks into a module.

Runs on the LLVM dialect (after convert-to-llvm), as gasync-link-device-runtime
does on each gpu.module: every function the module declares without a body,
and every global it declares or references without defining, whose name is a
symbol of a CPU runtime library (runtime/cpu/executor.mlir, the executor's
hooks; runtime/cpu/hardware.mlir, the hardware futures' primitives) gets the
library's definition (passes/runtime_library.py). A module with no executor
and no fault sites declares none of them and gets nothing. Afterwards the
module is complete: the ExecutionEngine runs it with nothing injected.
"""

from __future__ import annotations

import dataclasses

from mlir import ir

from .base import ModulePass, PassContext, register
from .runtime_library import RuntimeLibrary, RuntimeLinkError, link, unresolved

CPU_RUNTIME = (RuntimeLibrary(("cpu", "executor.mlir")), RuntimeLibrary(("cpu", "hardware.mlir")))


@register
@dataclasses.dataclass(frozen=True)
class LinkCpuRuntimePass(ModulePass):
    name = "gasync-link-cpu-runtime"
    summary = ("merge the executor runtime's CPU hooks and status record into a module that "
               "uses them")

    def apply(self, module: ir.Operation, ctx: PassContext) -> None:
        try:
            for library in CPU_RUNTIME:
                ctx.stat(self.name, "runtime symbols linked",
                         link(module, library, unresolved(module)))
        except RuntimeLinkError as e:
            ctx.diags.error(e.loc, str(e))
