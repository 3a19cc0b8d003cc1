"""The embedding API: `gasync.compile(module_or_text, target="sm_90") -> CompiledModule`.

    cm = gasync.compile(open("k.mlir").read())
    cm.kernels["add1"].args        # argument layouts, as MLIR types and kernel params
    cm.launch("add1", grid=1, block=4, a, 5)   # a: numpy (copied in and back),
                                               # or a CUDA array (DLPack,
                                               # __cuda_array_interface__)
    cm.ptx, cm.cubin               # the artefacts

Compilation needs MLIR; launching goes through gasync.runtime.launch (no
MLIR). Errors in the program raise `CompileError` (pipeline/driver.py's
ProgramError) carrying the diagnostics, rendered compiler-style
(`file:line:col: error: ...`); arguments that do not fit a kernel raise
`ArgError` (a ValueError) naming the argument.
"""

from __future__ import annotations

import dataclasses

from gasync.runtime.abi import Site
from gasync.runtime.args import ArgError, ArgType, parse_type
from gasync.runtime.launch import Device, validate_args

from . import driver
from .gpu import DEFAULT_CHIP, KernelInfo, find_kernel


@dataclasses.dataclass(frozen=True)
class Kernel:
    name: str
    module: str
    arg_types: tuple[str, ...]
    args: tuple[ArgType, ...]
    """Types; a memref is 2*rank+3 kernel params (allocated and aligned
    pointers, offset, sizes, strides), a scalar one param of its exact type."""

    @property
    def num_params(self) -> int:
        return sum(a.num_params for a in self.args)


def _types(info: KernelInfo) -> tuple[ArgType, ...]:
    try:
        return tuple(parse_type(t) for t in info.arg_types)
    except ArgError:
        return ()  # a kernel the host cannot call (launching it says why)


class CompiledModule:
    def __init__(self, cubins: dict[str, bytes], ptxs: dict[str, str], kernels: list[KernelInfo],
                 chip: str, sites: tuple[Site, ...] = ()):
        self.cubins = cubins
        """gpu.module name -> cubin bytes."""
        self.ptxs = ptxs
        """gpu.module name -> PTX text."""
        self.chip = chip
        self.sites = sites
        """The program's fault-site table: a fault's message names its source."""
        self._infos = kernels
        self.kernels: dict[str, Kernel] = {}
        for info in kernels:
            key = info.name if sum(k.name == info.name for k in kernels) == 1 else info.qualified
            self.kernels[key] = Kernel(info.name, info.module, info.arg_types, _types(info))
        self._device: Device | None = None
        self._loaded: dict = {}

    @property
    def cubin(self) -> bytes:
        """The cubin (of the one gpu.module; see `cubins` when there are several)."""
        return self._only(self.cubins, "cubin")

    @property
    def ptx(self) -> str:
        """The PTX (of the one gpu.module; see `ptxs` when there are several)."""
        return self._only(self.ptxs, "ptx")

    @staticmethod
    def _only(table: dict, what: str):
        if len(table) != 1:
            raise ValueError(f"the program has {len(table)} gpu.modules "
                             f"({', '.join(table) or 'none'}): use .{what}s[NAME]")
        return next(iter(table.values()))

    def launch(self, kernel: str, grid, block, *args, shared_mem: int = 0,
               timeout_s: float | None = 30.0, device: int = 0) -> float:
        """Launch `kernel` (name or MODULE.KERNEL) and wait; returns the time in ms.

        numpy arrays are copied to the GPU and back (in place); CUDA arrays
        (CuPy, PyTorch, anything with DLPack or __cuda_array_interface__) are
        used where they are. Shapes, dtypes and devices are checked against
        the kernel's signature; scalars are passed with their exact MLIR type.
        """
        found = find_kernel(self._infos, kernel)
        layouts = [parse_type(t) for t in found.arg_types]
        validate_args(layouts, list(args), found.name)
        if self._device is None or self._device.ordinal != device:
            self._device = Device(device)
            self._loaded = {}
        if found.module not in self._loaded:
            self._loaded[found.module] = self._device.load(self.cubins[found.module])
        return self._loaded[found.module].launch(found.name, layouts, list(args), grid, block,
                                                 shared_mem=shared_mem, timeout_s=timeout_s,
                                                 sites=self.sites)


def compile(module_or_text, target: str = DEFAULT_CHIP, *, links=(), opt_level: int = 3,
            name: str = "<string>") -> CompiledModule:  # noqa: A001 - the API's name
    """Compile gasync IR for chip `target`: text, or an ir.Module/ir.Operation,
    which is left untouched (a copy is compiled in its context, with MLIR's
    multithreading turned off there: see driver.Compilation)."""
    options = driver.Options(target="cuda", chip=target, links=tuple(links), opt_level=opt_level)
    context = None if isinstance(module_or_text, str) else module_or_text.context
    with driver.Compilation(options, source_name=name, stream=None, context=context) as c:
        if isinstance(module_or_text, str):
            ptx = driver.compile_source(c, module_or_text, stop="ptx", path=name)
        else:
            ptx = driver.compile_module(c, c.copy(module_or_text), stop="ptx")
        cubin = c.lower(ptx.ir, "ptx", "cubin")
    return CompiledModule({k: v.data for k, v in cubin.items()},
                          {k: v.data for k, v in ptx.ir.items()}, ptx.kernels, target, ptx.sites)
