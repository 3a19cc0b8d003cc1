"""The embedding API: `gasync.compile(module_or_text, target)` (docs/api.md).

    cm = gasync.compile(text, target="cpu")      # a CpuModule
    cm.main(21, 1)                                # Python values in, Python values out

    cm = gasync.compile(text, target="sm_90")    # a CompiledModule (GPU)
    k = cm["add1"]                                # or cm.kernels["add1"]
    k[1, 4](a, 5)                                 # numpy: copied in and back, waits
    run = k[1, 4, stream](d_a, 5)                 # device arrays: asynchronous
    run.synchronize(); run.elapsed_ms

Compilation needs MLIR; launching goes through gasync.runtime.launch (no
MLIR). Errors in the program raise `gasync.CompileError` carrying the
diagnostics, rendered compiler-style (`file:line:col: error: ...`);
arguments that do not fit raise TypeError, ValueError or OverflowError
subclasses (runtime/args.py) naming the argument; faults while running
raise `gasync.RuntimeFault`. GPU compilations are cached on disk
(pipeline/cache.py).
"""

from __future__ import annotations

import dataclasses
import hashlib

from mlir import ir

from gasync.dialect.diagnostics import CompileError
from gasync.passes.site_table import read_sites
from gasync.runtime.abi import Site
from gasync.runtime.args import (ArgError, ArgType, check_count, host_array, host_scalar,
                                 parse_type)
from gasync.runtime.errors import RuntimeFault, UsageError
from gasync.runtime.faults import ExecutorFault
from gasync.runtime.launch import DEFAULT_TIMEOUT_S, Device, Launch, NoGpuError, validate_args

from . import cache, cpu, driver
from .cubin import LinkError, check_chip
from .gpu import KernelInfo, find_kernel


# The CPU ---------------------------------------------------------------------------------

class CpuFunction:
    """A public func.func of a CPU module, callable from Python."""

    def __init__(self, module: "CpuModule", name: str, wrapper: str,
                 arg_types: list[ArgType], result_types: list[ArgType]):
        self._module = module
        self.name = name
        self._wrapper = wrapper
        self.arg_types = arg_types
        self.result_types = result_types

    def __repr__(self) -> str:
        args = ", ".join(map(str, self.arg_types))
        results = ", ".join(map(str, self.result_types))
        return f"<gasync CPU function @{self.name}({args}) -> ({results})>"

    def __call__(self, *args):
        """Scalars (Python or numpy numbers, range-checked) and numpy arrays of
        exactly the parameter's dtype and shape, updated in place. Returns
        None, one Python value, or a tuple. Raises RuntimeFault on an
        executor fault."""
        callee = f"@{self.name}"
        check_count(self.arg_types, args, callee)
        values = [host_array(t, v, i, callee) if t.is_memref else host_scalar(t, v, i, callee)
                  for i, (t, v) in enumerate(zip(self.arg_types, args))]
        try:
            results = cpu.call(self._module.engine, self._wrapper, self.arg_types,
                               self.result_types, values, self._module.sites)
        except ExecutorFault as e:
            raise RuntimeFault(f"{callee} failed while running: {e}", e) from None
        return None if not results else results[0] if len(results) == 1 else tuple(results)


class CpuModule:
    """A program compiled for the CPU, JIT-compiled once: its public functions
    by name (`cm.f(...)`, `cm["f"](...)`, `cm.functions`)."""

    def __init__(self, compilation: driver.Compilation, module, refused: dict[str, str],
                 opt_level: int = 2):
        self._compilation = compilation  # the context must outlive the engine
        self._module = module
        self.engine = cpu.jit(module, compilation.diags, opt_level=opt_level)
        self.sites = read_sites(module.operation)
        """The program's fault-site table: a fault's message names its source."""
        self.refused = refused
        """Public functions that cannot be called from Python, and why."""
        self.functions: dict[str, CpuFunction] = {}
        for symbol, wrapper in cpu.wrappers(module).items():
            name = ir.StringAttr(wrapper.attributes[cpu.ENTRY_NAME_ATTR]).value
            args, results = cpu.wrapper_types(wrapper)
            self.functions[name] = CpuFunction(self, name, symbol, args, results)

    def __getitem__(self, name: str) -> CpuFunction:
        if name in self.functions:
            return self.functions[name]
        if name in self.refused:
            raise KeyError(f"not supported: @{name} cannot be called from Python: "
                           f"{self.refused[name]}")
        raise KeyError(f"no public func.func named '@{name}' (functions: "
                       f"{', '.join(self.functions) or 'none'})")

    def __getattr__(self, name: str) -> CpuFunction:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError as e:
            raise AttributeError(e.args[0]) from None


# The GPU ---------------------------------------------------------------------------------

_DEVICES: dict[int, Device] = {}


def _device(ordinal: int, kernel: str) -> Device:
    if ordinal not in _DEVICES:
        try:
            _DEVICES[ordinal] = Device(ordinal)
        except NoGpuError as e:
            raise NoGpuError(f"cannot launch kernel '{kernel}': {e}. Compiling needs no GPU: "
                             "cm.cubins holds the cubins, and `gasync-run --emit-bundle` writes "
                             "a bundle to run on a GPU machine") from None
    return _DEVICES[ordinal]


@dataclasses.dataclass(frozen=True)
class Kernel:
    """A kernel of a CompiledModule, launchable:

        k(grid, block, *args, stream=None)      -> Launch
        k[grid, block](*args)                   (the default stream)
        k[grid, block, stream](*args)

    With a numpy array among the arguments, the launch copies in, runs,
    copies back and waits; with device arrays only it returns at once
    (`Launch.synchronize()`, `Launch.elapsed_ms`)."""

    name: str
    module: str
    """The gpu.module that holds it."""
    arg_types: tuple[str, ...]
    args: tuple[ArgType, ...]
    """Types; a memref is 2*rank+3 kernel params (allocated and aligned
    pointers, offset, sizes, strides), a scalar one param of its exact type."""
    owner: "CompiledModule | None" = dataclasses.field(default=None, compare=False, repr=False)

    @property
    def num_params(self) -> int:
        return sum(a.num_params for a in self.args)

    def __call__(self, grid, block, *args, stream=None, shared_mem: int = 0,
                 timeout_s: float | None = DEFAULT_TIMEOUT_S, device: int = 0,
                 sync: bool | None = None) -> Launch:
        if self.owner is None:
            raise UsageError(f"kernel '{self.name}' belongs to no compiled module")
        layouts = self._layouts()
        validate_args(layouts, list(args), self.name)  # before any GPU work
        module = self.owner.loaded(device, self.name)
        return module.launch(self.name, layouts, list(args), grid, block, stream=stream,
                             shared_mem=shared_mem, timeout_s=timeout_s, sync=sync,
                             sites=self.owner.sites)

    def __getitem__(self, config) -> "_Configured":
        if not isinstance(config, tuple) or len(config) not in (2, 3):
            raise TypeError(f"kernel '{self.name}': launch as k[grid, block](args) or "
                            "k[grid, block, stream](args)")
        return _Configured(self, *config)

    def _layouts(self) -> list[ArgType]:
        if len(self.args) != len(self.arg_types):  # a type the host cannot pass: say which
            return [parse_type(t) for t in self.arg_types]
        return list(self.args)


@dataclasses.dataclass(frozen=True)
class _Configured:
    kernel: Kernel
    grid: object
    block: object
    stream: object = None

    def __call__(self, *args, **options) -> Launch:
        return self.kernel(self.grid, self.block, *args, stream=self.stream, **options)


def _types(info: KernelInfo) -> tuple[ArgType, ...]:
    try:
        return tuple(parse_type(t) for t in info.arg_types)
    except ArgError:
        return ()  # a kernel the host cannot call (launching it says why)


class CompiledModule:
    """A program compiled for an NVIDIA GPU: its cubins and PTX per gpu.module,
    and its kernels (`cm["k"]`, `cm.kernels["k"]`)."""

    def __init__(self, cubins: dict[str, bytes], ptxs: dict[str, str], kernels: list[KernelInfo],
                 chip: str, sites: tuple[Site, ...] = (), *, cache_key: str | None = None,
                 from_cache: bool = False):
        self.cubins = cubins
        """gpu.module name -> cubin bytes."""
        self.ptxs = ptxs
        """gpu.module name -> PTX text."""
        self.chip = chip
        self.cache_key = cache_key
        self.from_cache = from_cache
        """Whether the cubins came from the disk cache (no pipeline ran)."""
        self.sites = sites
        """The program's fault-site table: a fault's message names its source."""
        self._infos = kernels
        self.kernels: dict[str, Kernel] = {}
        for info in kernels:
            key = info.name if sum(k.name == info.name for k in kernels) == 1 else info.qualified
            self.kernels[key] = Kernel(info.name, info.module, info.arg_types, _types(info), self)
        self._loaded: dict[tuple[int, str], object] = {}

    def __getitem__(self, name: str) -> Kernel:
        """The kernel `name` (or MODULE.KERNEL); KeyError naming the kernels there are."""
        found = find_kernel(self._infos, name)
        return next(k for k in self.kernels.values()
                    if (k.name, k.module) == (found.name, found.module))

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

    def loaded(self, ordinal: int, kernel: str):
        """The LoadedModule of `kernel`'s gpu.module on GPU `ordinal` (loaded once)."""
        module = self[kernel].module
        if (ordinal, module) not in self._loaded:
            self._loaded[ordinal, module] = _device(ordinal, kernel).load(self.cubins[module])
        return self._loaded[ordinal, module]

    def launch(self, kernel: str, grid, block, *args, shared_mem: int = 0,
               timeout_s: float | None = DEFAULT_TIMEOUT_S, device: int = 0) -> float:
        """Launch `kernel` (name or MODULE.KERNEL), wait, and return its time in
        ms (GPU events). Same as `self[kernel](grid, block, *args, sync=True)`."""
        run = self[kernel](grid, block, *args, shared_mem=shared_mem, timeout_s=timeout_s,
                           device=device, sync=True)
        return run.elapsed_ms


# compile -----------------------------------------------------------------------------------

def _file_digest(path: str) -> str:
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    except OSError as e:
        raise UsageError(f"cannot read link input '{path}': {e.strerror}") from None


def compile(module_or_text, target: str = "sm_90", *, links=(), opt_level: int = 3,  # noqa: A001
            name: str = "<string>", watchdog: int | None = None, features: str = ""):
    """Compile gasync IR (text, or an ir.Module/ir.Operation, which is left
    untouched: a copy is compiled in its context, with MLIR's multithreading
    turned off there, see driver.Compilation) for `target`: "cpu" (a
    CpuModule) or an NVIDIA chip such as "sm_90" (a CompiledModule), with the
    NVPTX target's `features` (e.g. "+ptx86", which the mbarrier and bulk-copy
    ops need)."""
    if target != "cpu":
        try:
            check_chip(target)
        except LinkError:
            raise UsageError(f"target '{target}' is neither 'cpu' nor an NVIDIA chip name "
                             "(sm_XY, e.g. sm_90)") from None
    text = module_or_text if isinstance(module_or_text, str) else None
    context = None if text is not None else module_or_text.context
    if target == "cpu":
        options = driver.Options(target="cpu", wrap_all=True, watchdog=watchdog)
        c = driver.Compilation(options, source_name=name, stream=None, context=context)
        with c:
            module = c.parse(text) if text is not None else c.copy(module_or_text)
            refused = cpu.host_functions(module)[1]
            lowered = driver.compile_module(c, module, stop="mlir")
            try:
                return CpuModule(c, lowered.ir, refused)
            except CompileError:  # the JIT refused the module, after reporting why
                raise c.failed() from None

    from gasync import __version__

    source = text if text is not None else module_or_text.operation.get_asm(enable_debug_info=True)
    key = cache.cache_key(source, {"chip": target, "opt_level": opt_level, "name": name,
                                   "links": [_file_digest(p) for p in links], "features": features},
                           __version__)
    hit = cache.load(key)
    if hit is not None:
        kernels = [KernelInfo(k["module"], k["name"], tuple(k["arg_types"])) for k in hit["kernels"]]
        sites = tuple(Site.from_json(entry) for entry in hit["sites"])
        return CompiledModule(hit["cubins"], hit["ptxs"], kernels, target, sites, cache_key=key,
                              from_cache=True)
    options = driver.Options(target="cuda", chip=target, links=tuple(links), opt_level=opt_level,
                             features=features)
    with driver.Compilation(options, source_name=name, stream=None, context=context) as c:
        if text is not None:
            ptx = driver.compile_source(c, text, stop="ptx", path=name)
        else:
            ptx = driver.compile_module(c, c.copy(module_or_text), stop="ptx")
        cubin = c.lower(ptx.ir, "ptx", "cubin")
    cubins = {k: v.data for k, v in cubin.items()}
    ptxs = {k: v.data for k, v in ptx.ir.items()}
    cache.store(key, cubins, ptxs, [dataclasses.asdict(k) for k in ptx.kernels],
                [site.to_json() for site in ptx.sites])
    return CompiledModule(cubins, ptxs, ptx.kernels, target, ptx.sites, cache_key=key)
