"""gasync-module-to-binary: MLIR's `gpu-module-to-binary`, kept from aborting the process.

The NVPTX backend reports some failures by aborting the whole process
("LLVM ERROR: Cannot select: intrinsic ..."), for example for NVVM ops that
need a newer PTX ISA than the target's features give (`fence.mbarrier_init`
needs PTX 8.0, a bulk copy to `shared::cta` PTX 8.6). No Python code can
catch that. So the code generation first runs in a forked child
(passes/isolated.py): if the child dies, the abort becomes a located error
at the gpu.module with LLVM's own message; if it succeeds, the same
(deterministic) code generation runs here. The price is generating code
twice; a program that compiles gets exactly upstream's result.

The child compiles a copy of the module in a context of its own with
MLIR's multithreading off: an embedder's context may have it on, and a
forked child has none of the parent's threads, so code generation through
the parent's thread pool would wait forever.
"""

from __future__ import annotations

import dataclasses
import io

from mlir import ir
from mlir.passmanager import PassManager

from .base import ModulePass, PassContext, register
from .isolated import ChildDied, ChildFailed, run_isolated


def _first_gpu_module(module: ir.Operation) -> ir.Operation:
    for op in module.regions[0].blocks[0].operations:
        if op.operation.name == "gpu.module":
            return op.operation
    return module


@register
@dataclasses.dataclass(frozen=True)
class ModuleToBinaryPass(ModulePass):
    name = "gasync-module-to-binary"
    summary = ("gpu-module-to-binary, with the backend tried in a child process first, so that "
               "a fatal LLVM error is a located error, not an abort")
    format: str = "isa"
    """gpu-module-to-binary's format: isa (PTX), bin, fatbin, llvm, offloading."""

    def apply(self, module: ir.Operation, ctx: PassContext) -> None:
        pipeline = f"builtin.module(gpu-module-to-binary{{format={self.format}}})"

        module_bytecode = io.BytesIO()
        module.write_bytecode(module_bytecode)

        def codegen() -> None:
            child_context = ir.Context()
            child_context.enable_multithreading(False)
            child_context.allow_unregistered_dialects = module.context.allow_unregistered_dialects
            copy = ir.Module.parse(module_bytecode.getvalue(), child_context)
            PassManager.parse(pipeline, child_context).run(copy.operation)

        try:
            run_isolated(codegen)
        except ChildDied as died:
            where = _first_gpu_module(module)
            llvm_lines = [line.strip() for line in died.output.splitlines()
                          if line.startswith("LLVM ERROR") or "Assertion" in line]
            reason = llvm_lines[0] if llvm_lines else f"the process died of {died.signal_name}"
            ctx.diags.error(where.location,
                            f"LLVM's NVPTX backend cannot compile this code: {reason}",
                            [(where.location, "NVVM ops may need a newer PTX ISA than the "
                              "target's default: give the target features, e.g. "
                              "gasync-to-nvvm{features=+ptx86} or gasync-run --features +ptx86")])
            return
        except ChildFailed:
            pass  # the run below reports the pass's own diagnostics
        try:
            PassManager.parse(pipeline, module.context).run(module)
        except ir.MLIRError as e:
            ctx.diags.add_mlir_error(e, module.location)
