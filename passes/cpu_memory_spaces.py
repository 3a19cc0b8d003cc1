"""gasync-cpu-memory-spaces: memory in a GPU address space is a located error
in the CPU pipeline.

The CPU has one address space. MLIR's convert-to-llvm has no mapping for
`#gpu.address_space<...>` (shared memory, for instance, which the hardware
futures' mbarriers and channels live in on the GPU): it reports the type as
unconvertible but the pass still succeeds, and the Python bindings then
abort the process on the unclaimed error. So the CPU pipeline rejects such
memrefs first, at the op that uses one, and says where they belong. (gasync-run
and gasync.compile drop gpu.modules before the CPU pipeline, so a program's
kernels never reach it.)
"""

from __future__ import annotations

import dataclasses

from mlir import ir

from gasync.dialect.ir_utils import walk

from .base import ModulePass, PassContext, register


def gpu_memory_space(t: ir.Type) -> str | None:
    """The `#gpu.address_space<...>` of a memref type, or None."""
    if not isinstance(t, ir.MemRefType) or ir.MemRefType(t).memory_space is None:
        return None
    space = str(ir.MemRefType(t).memory_space)
    return space if space.startswith("#gpu.address_space") else None


@register
@dataclasses.dataclass(frozen=True)
class CpuMemorySpacesPass(ModulePass):
    name = "gasync-cpu-memory-spaces"
    summary = "report memrefs in a GPU address space, which the CPU pipeline cannot lower"

    def apply(self, module: ir.Operation, ctx: PassContext) -> None:
        for op in walk(module):
            types = [v.type for v in list(op.operands) + list(op.results)]
            if op.name == "memref.global":
                types.append(ir.TypeAttr(op.attributes["type"]).value)
            for t in types:
                space = gpu_memory_space(t)
                if space is not None:
                    ctx.diags.error(op.location, f"'{t}' is in the GPU address space {space}: "
                                    "the CPU pipeline cannot lower it (compile GPU code with "
                                    "gasync-to-nvvm; on the CPU, use memory with no memory space)")
                    break
