"""The GPU pipeline (docs/design.md, "Lowering"): gasync IR -> NVVM -> LLVM IR -> PTX -> cubin.

Two named pipelines, usable anywhere a pass is:

- `gasync-to-nvvm{chip=sm_90 O=3}`: lower coroutines and block_on
  (`gasync-coro`, on host and device code alike; it first clones the
  top-level functions each `gpu.module` uses into it), attach the NVVM
  target, lower the device modules to the LLVM and NVVM dialects, then merge
  the executor runtime library into them as IR (so it inlines) and
  internalise private device functions, then inline every call in MLIR
  (upstream `inline`): LLVM receives each kernel as one function, so its
  first SROA sees a register executor's block addressed at constant offsets
  only (passes/static_slots.py) before any simplification of a callee could
  fold a switch on a slot back into a runtime offset.
- `gasync-to-cubin{chip=sm_90 O=3 link=a.ptx,b.cubin}`: the above, then the
  NVPTX backend (`gpu-module-to-binary{format=isa}`), then nvJitLink links
  the PTX with any extra objects into a cubin (`gasync-link-cubin`): each
  `gpu.module` becomes a `gpu.binary` holding its cubin.

pipeline/driver.py runs these as its cuda stages (`mlir`, `llvm`, `ptx`,
`cubin`); this module holds the pipelines and the kernels' signatures.
"""

from __future__ import annotations

import dataclasses

from mlir import ir
from gasync.dialect.ir_utils import symbol_name
from gasync.runtime import abi

from . import cubin as _cubin  # noqa: F401  (registers gasync-link-cubin)
from .pipelines import Pipeline, register_pipeline

DEFAULT_CHIP = "sm_90"

register_pipeline(Pipeline(
    "gasync-to-nvvm",
    "the GPU pipeline to the NVVM dialect: gasync-coro (which clones used functions into "
    "gpu.modules), "
    "convert-gpu-to-nvvm, merge the device runtime, inline",
    ("gasync-coro{{idle-wait-ms={idle-wait-ms}}}",
     "gasync-guard-division",
     "gasync-check-bounds",
     "nvvm-attach-target{{chip={chip} O={O} features={features}}}",
     "gpu.module(convert-scf-to-cf,expand-strided-metadata,convert-gpu-to-nvvm,canonicalize,"
     "cse)",
     "reconcile-unrealized-casts",
     "gasync-link-device-runtime",
     "gpu.module(inline)"),
    (("chip", DEFAULT_CHIP), ("O", "3"), ("features", ""),
     ("idle-wait-ms", str(abi.DEFAULT_IDLE_WAIT_MS))),
))

register_pipeline(Pipeline(
    "gasync-to-cubin",
    "the GPU pipeline to cubins: gasync-to-nvvm, the NVPTX backend, then nvJitLink (with the "
    "objects named by link=a,b) into a gpu.binary per gpu.module",
    ("gasync-to-nvvm{{chip={chip} O={O} features={features} idle-wait-ms={idle-wait-ms}}}",
     "gasync-module-to-binary{{format=isa}}",
     "gasync-link-cubin{{chip={chip} link={link}}}"),
    (("chip", DEFAULT_CHIP), ("O", "3"), ("features", ""), ("link", ""),
     ("idle-wait-ms", str(abi.DEFAULT_IDLE_WAIT_MS))),
))


@dataclasses.dataclass(frozen=True)
class KernelInfo:
    """A `gpu.func` kernel: where it lives and its argument types (MLIR spelling)."""

    module: str
    name: str
    arg_types: tuple[str, ...]

    @property
    def qualified(self) -> str:
        return f"{self.module}.{self.name}"


class NoSuchKernel(KeyError):
    """A kernel name that names no kernel, or several."""


def kernels_of(module: ir.Operation) -> list[KernelInfo]:
    found = []
    for op in module.regions[0].blocks[0].operations:
        op = op.operation
        if op.name != "gpu.module":
            continue
        mod_name = symbol_name(op)
        for inner in op.regions[0].blocks[0].operations:
            inner = inner.operation
            if inner.name == "gpu.func" and "gpu.kernel" in inner.attributes:
                ftype = ir.FunctionType(ir.TypeAttr(inner.attributes["function_type"]).value)
                found.append(KernelInfo(mod_name, symbol_name(inner),
                                        tuple(str(t) for t in ftype.inputs)))
    return found


def find_kernel(kernels: list[KernelInfo], entry: str) -> KernelInfo:
    """The kernel `entry` names (`kernel` or `module.kernel`); NoSuchKernel if none or several."""
    matches = [k for k in kernels if entry in (k.name, k.qualified)]
    if len(matches) == 1:
        return matches[0]
    if not kernels:
        raise NoSuchKernel(f"no gpu.func kernel named '{entry}': the program has no kernels")
    if not matches:
        known = ", ".join(k.qualified for k in kernels)
        raise NoSuchKernel(f"no gpu.func kernel named '{entry}' (kernels: {known})")
    raise NoSuchKernel(f"'{entry}' names several kernels "
                       f"({', '.join(k.qualified for k in matches)}); name one as MODULE.KERNEL")


__all__ = ["DEFAULT_CHIP", "KernelInfo", "NoSuchKernel", "find_kernel", "kernels_of"]
