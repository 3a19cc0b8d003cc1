"""The compile driver: one compilation (context, diagnostics, options) and one
ordered table of stages per target. Every tool and API compiles through it.

    cpu:  gasync IR -> coro (gasync IR after the coroutine lowering, with the
          CPU hooks and the entry wrapper) -> mlir (the LLVM dialect) -> JIT
    cuda: gasync IR -> mlir (NVVM) -> ptx -> cubin

Each stage takes the IR of the stage before it and returns its own; any stage
can be dumped (`gasync-run --emit STAGE`), and a compilation can resume from a
dump (`--from STAGE`) where its format reads back: the MLIR stages, PTX and
cubin. `llvm` (on both targets) is a dump-only side stage: the LLVM IR that
MLIR translates the `mlir` stage into, before LLVM optimises it (the JIT at
-O2, the NVPTX backend at O=3); the bindings can print LLVM IR but not read it.
"""

from __future__ import annotations

import dataclasses
import os
import re
import sys
from typing import Callable

from mlir import ir
from mlir.dialects import llvm as llvm_dialect

from gasync.dialect.context import prepare_context
from gasync.dialect.diagnostics import CompileError, DiagnosticEngine, Position, name_parse_buffer
from gasync.passes import PassContext
from gasync.passes.site_table import read_sites
from gasync.passes.state_machine_graph import to_dot
from gasync.runtime import abi
from gasync.runtime.errors import InvalidProgram, UsageError

from . import cpu
from .cubin import FORMAT_ISA, LinkError, binary_objects, check_chip, link_or_report, read_link_inputs
from .gpu import DEFAULT_CHIP, KernelInfo, find_kernel, kernels_of, NoSuchKernel
from .manager import PipelineError, build_pass_manager, run_pass_manager
from .pipelines import LLVM_LOWERING

TARGETS = ("cpu", "cuda")
"""The largest poll budget: the executor keeps it in an i32."""


def check_watchdog(polls: int) -> int:
    """`polls` if it is a poll budget (0: no limit, up to abi.MAX_WATCHDOG, the
    range the passes' option takes too); else UsageError: a negative or wider
    value would wrap and silently disable the watchdog."""
    if (isinstance(polls, bool) or not isinstance(polls, int)
            or not 0 <= polls <= abi.MAX_WATCHDOG):
        raise UsageError(f"option 'watchdog' takes an integer in [0, {abi.MAX_WATCHDOG}] "
                         f"(0: no limit), got {polls!r}")
    return polls


class ProgramError(CompileError, InvalidProgram):
    """The program did not compile; `diagnostics` holds what was reported."""

    def __init__(self, diagnostics=()):
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(d.render() for d in self.diagnostics) or "compilation failed")


@dataclasses.dataclass(frozen=True)
class Options:
    target: str = "cpu"
    entry: str | None = None
    """cpu: the func.func the JIT runs (its wrapper is added at the first stage)."""
    wrap_all: bool = False
    """cpu: wrap every public function so that Python calls them (gasync.compile)."""
    chip: str = DEFAULT_CHIP
    opt_level: int = 3
    """cuda: LLVM's optimisation level for the device code."""
    features: str = ""
    """cuda: the NVPTX target's features (e.g. `+ptx86` for NVVM ops that need PTX 8.6)."""
    links: tuple[str, ...] = ()
    """cuda: extra PTX, cubin, fatbin or LTO-IR objects for nvJitLink."""
    watchdog: int | None = None
    """The executors' poll budget (None: the pipeline's default)."""
    idle_wait_ms: int | None = None
    """How long a hardware wait may stay pending before it faults (None: the
    pipelines' default, abi.DEFAULT_IDLE_WAIT_MS; 0: no limit)."""

    def check(self) -> None:
        """UsageError for options no compilation can use."""
        if self.target not in TARGETS:
            raise UsageError(f"unknown target '{self.target}' (targets: {', '.join(TARGETS)})")
        if self.watchdog is not None:
            check_watchdog(self.watchdog)
        if self.idle_wait_ms is not None and (
                isinstance(self.idle_wait_ms, bool) or not isinstance(self.idle_wait_ms, int)
                or not 0 <= self.idle_wait_ms <= abi.MAX_IDLE_WAIT_MS):
            raise UsageError(f"option 'idle-wait-ms' takes an integer in "
                             f"[0, {abi.MAX_IDLE_WAIT_MS}] (0: no limit), got "
                             f"{self.idle_wait_ms!r}")
        if self.target == "cuda":
            try:
                check_chip(self.chip)
            except LinkError as e:
                raise UsageError(e.message) from None
            if self.features and not re.fullmatch(r"[+-][\w.]+(,[+-][\w.]+)*", self.features):
                raise UsageError(f"'{self.features}' is not a list of target features "
                                 "(e.g. +ptx86 or +ptx86,+sm_90a)")
            for link in self.links:
                if not os.path.isfile(link):
                    raise UsageError(f"cannot read link input '{link}'")


@dataclasses.dataclass(frozen=True)
class DeviceCode:
    """One gpu.module's PTX (text) or cubin (bytes), and where it came from."""

    name: str
    data: str | bytes
    loc: object


IR = ir.Module | dict  # an MLIR module, or gpu.module name -> DeviceCode


class Compilation:
    """A context prepared for gasync, the diagnostics, and the options.

    Use it as a context manager: diagnostics of the context go to `diags`
    while it is entered. MLIR's multithreading is off: the verifier checks
    isolated ops (each function, each gpu.module) on worker threads, and a
    diagnostic raised there reaches our Python handler without the GIL, which
    nanobind answers with an abort ("GIL not held") on the runs where a
    worker, not the calling thread, took the failing op.
    """

    def __init__(self, options: Options = Options(), *, source_name: str = "<input>",
                 stream=sys.stderr, allow_unregistered: bool = False,
                 context: ir.Context | None = None):
        options.check()
        self.options = options
        self.diags = DiagnosticEngine(stream=stream, echo=stream is not None,
                                      source_name=source_name)
        self.context = prepare_context(context or ir.Context())
        self.context.enable_multithreading(False)
        self.passes = PassContext(self.diags, allow_unregistered=allow_unregistered)
        self.kernels: list[KernelInfo] | None = None
        """The kernels of the gasync IR this compilation started from (cuda)."""
        self.sites: tuple[abi.Site, ...] = ()
        """The program's fault-site table (cuda; on the cpu the module keeps it)."""
        self._handler = None
        self._scope = None

    def __enter__(self) -> "Compilation":
        self._handler = self.diags.capture(self.context)
        self._scope = (self.context, ir.Location.unknown(self.context))
        for s in self._scope:
            s.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        for s in reversed(self._scope):
            s.__exit__(None, None, None)
        self._handler.detach()

    # Errors -----------------------------------------------------------------
    def failed(self) -> ProgramError:
        return ProgramError(self.diags.diagnostics)

    def error(self, loc, message: str) -> ProgramError:
        self.diags.error(loc, message)
        return self.failed()

    # IR ---------------------------------------------------------------------
    def decode(self, data: bytes) -> str:
        """The source text of `data`; a located error where it is not UTF-8."""
        try:
            return decode_source(data, self.diags)
        except CompileError:
            raise self.failed() from None

    def parse(self, text: str, line_offset: int = 0) -> ir.Module:
        """Parse and run MLIR's verifier; positions are those of the whole file
        (a split chunk starts `line_offset` lines in)."""
        try:
            module = ir.Module.parse("\n" * line_offset + text, self.context)
            name_parse_buffer(module.operation, self.diags.source_name)
            if not module.operation.verify():
                raise self.error(module.operation.location, "the module failed MLIR's verifier")
        except ir.MLIRError as e:
            self.diags.add_mlir_error(e)
            raise self.failed() from None
        return module

    def copy(self, module) -> ir.Module:
        """A copy of an ir.Module or builtin.module operation of this context."""
        op = getattr(module, "operation", module)
        copy = ir.Module.create(op.location)
        for name in op.attributes:
            copy.operation.attributes[name] = op.attributes[name]
        ip = ir.InsertionPoint(copy.body)
        for inner in op.regions[0].blocks[0].operations:
            inner.operation.clone(ip=ip)
        return copy

    def run(self, pipeline: str, module: ir.Module) -> None:
        """Run a pass pipeline (gasync's and upstream passes, by name) on `module`."""
        try:
            pm = build_pass_manager(pipeline, self.context, self.passes)
        except PipelineError as e:  # built from the options: one the pipeline cannot take
            raise UsageError(str(e)) from None
        if not run_pass_manager(pm, module.operation, self.passes):
            raise self.failed()

    def lower(self, ir_in: IR, start: str | None, stop: str) -> IR:
        """Run this target's stages after `start` (None: from gasync IR) up to `stop`."""
        table = STAGES[self.options.target]
        names = [s.name for s in table]
        first = 0 if start is None else names.index(start) + 1
        current = ir_in
        for stage in table[first:names.index(stop) + 1]:
            if stage.dump_only and stage.name != stop:
                continue
            try:
                current = stage.lower(self, current)
            except ProgramError:
                raise
            except CompileError:  # raised by a target's helper after reporting
                raise self.failed() from None
        return current

    def read(self, stage: str, path: str, name: str, data: bytes) -> IR:
        """The IR of `stage` from a file dumped earlier."""
        kind = stage_named(self.options.target, stage).format
        if kind == "mlir":
            return self.parse(self.decode(data))
        if kind in ("ptx", "cubin"):  # one gpu.module, named after the file
            module_name = os.path.splitext(os.path.basename(path))[0] or "kernels"
            loc = Position(name, 0, 0)
            return {module_name: DeviceCode(module_name, data.decode(errors="replace")
                                            if kind == "ptx" else data, loc)}
        raise AssertionError(f"no reader for stage format '{kind}'")


def decode_source(data: bytes, diags: DiagnosticEngine) -> str:
    """`data` as UTF-8 text. At the first byte that is not UTF-8: an error in
    `diags` at its line and (byte) column, naming the byte and its offset,
    and CompileError."""
    try:
        return data.decode()
    except UnicodeDecodeError as e:
        line_start = data.rfind(b"\n", 0, e.start) + 1
        where = Position(diags.source_name, data.count(b"\n", 0, e.start) + 1,
                         e.start - line_start + 1)
        diags.error(where, f"the input is not UTF-8: byte 0x{data[e.start]:02x} at offset "
                           f"{e.start} ({e.reason})")
        raise CompileError() from None


# The stages -----------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Stage:
    name: str
    format: str
    """How its IR is written: mlir, llvm, ptx or cubin."""
    summary: str
    lower: Callable[[Compilation, IR], IR]
    dump_only: bool = False
    """A side stage: dumped, never the input of the next one."""


def _coro_options(c: Compilation) -> str:
    """gasync-coro's options that the compilation sets (the others keep their defaults)."""
    options = []
    if c.options.watchdog is not None:
        options.append(f"watchdog={c.options.watchdog}")
    if c.options.idle_wait_ms is not None:
        options.append(f"idle-wait-ms={c.options.idle_wait_ms}")
    return "{" + " ".join(options) + "}" if options else ""


def _cpu_coro(c: Compilation, module: ir.Module) -> ir.Module:
    c.run("gasync-verify", module)  # the whole module: device code is dropped next
    cpu.prepare(module, c.options.entry, c.diags, c.options.wrap_all)
    c.run("gasync-coro" + _coro_options(c), module)
    return module


def _cpu_llvm_dialect(c: Compilation, module: ir.Module) -> ir.Module:
    c.run(",".join(LLVM_LOWERING), module)
    return module


def _llvm_ir(c: Compilation, module: ir.Module) -> dict[str, str]:
    """The LLVM IR MLIR translates the module (cpu) or each gpu.module (cuda) into."""
    if c.options.target == "cpu":
        return {"": llvm_dialect.translate_module_to_llvmir(module.operation)}
    return {name: llvm_dialect.translate_module_to_llvmir(op)
            for name, op in _gpu_modules(module).items()}


def _gpu_modules(module: ir.Module) -> dict[str, ir.Operation]:
    return {ir.StringAttr(op.operation.attributes["sym_name"]).value: op.operation
            for op in module.body.operations if op.operation.name == "gpu.module"}


def _cuda_nvvm(c: Compilation, module: ir.Module) -> ir.Module:
    c.kernels = kernels_of(module.operation)
    o = c.options
    idle = "" if o.idle_wait_ms is None else f" idle-wait-ms={o.idle_wait_ms}"
    c.run(f"gasync-to-nvvm{{chip={o.chip} O={o.opt_level} features={o.features}{idle}}}", module)
    c.sites = read_sites(module.operation)
    return module


def _cuda_ptx(c: Compilation, module: ir.Module) -> dict[str, DeviceCode]:
    locations = {name: op.location for name, op in _gpu_modules(module).items()}
    c.run("gasync-module-to-binary{format=isa}", module)
    return {name: DeviceCode(name, obj.object.decode(), locations.get(name, module.operation.location))
            for name, objects in binary_objects(module.operation).items()
            for obj in objects if obj.format == FORMAT_ISA}


def _cuda_cubin(c: Compilation, ptx: dict[str, DeviceCode]) -> dict[str, DeviceCode]:
    try:
        inputs = read_link_inputs(list(c.options.links))
    except LinkError as e:
        raise UsageError(e.message) from None
    return {name: DeviceCode(name, link_or_report(name, code.data, code.loc, c.options.chip,
                                                  inputs, c.diags), code.loc)
            for name, code in ptx.items()}


STAGES: dict[str, tuple[Stage, ...]] = {
    "cpu": (
        Stage("coro", "mlir", "gasync IR after the coroutine lowering, with the CPU hooks",
              _cpu_coro),
        Stage("mlir", "mlir", "the LLVM dialect (the JIT's input)", _cpu_llvm_dialect),
        Stage("llvm", "llvm", "LLVM IR of the JIT's input, before LLVM's -O2", _llvm_ir,
              dump_only=True),
    ),
    "cuda": (
        Stage("mlir", "mlir", "the NVVM dialect, with the device runtime merged", _cuda_nvvm),
        Stage("llvm", "llvm", "LLVM IR of each gpu.module, before LLVM's optimisation",
              _llvm_ir, dump_only=True),
        Stage("ptx", "ptx", "the PTX of each gpu.module (the NVPTX backend)", _cuda_ptx),
        Stage("cubin", "cubin", "the cubin of each gpu.module (nvJitLink)", _cuda_cubin),
    ),
}


COROUTINE_STAGE = {"cpu": "coro", "cuda": "mlir"}
"""The stage of each target whose passes lower async functions to state machines."""


def stage_named(target: str, name: str) -> Stage:
    for stage in STAGES[target]:
        if stage.name == name:
            return stage
    raise UsageError(f"'{name}' is not a stage of target {target} (stages: "
                     f"{', '.join(s.name for s in STAGES[target])})")


def final_stage(target: str) -> str:
    return STAGES[target][-1].name


# What the tools and the API call -----------------------------------------------

@dataclasses.dataclass
class Compiled:
    """The result of a compilation: the IR of the last stage run, and, on cuda,
    the kernels of the source."""

    stage: str
    ir: IR
    kernels: list[KernelInfo] | None = None
    sites: tuple[abi.Site, ...] = ()
    """cuda: the program's fault-site table, for the host to name a fault's source."""


def compile_source(c: Compilation, text: str | bytes, *, stop: str | None = None,
                   start: str | None = None, path: str = "<input>") -> Compiled:
    """Compile source `text` (gasync IR, or the dump of stage `start`) up to
    `stop` (default: the target's last stage). Raises ProgramError (diagnostics
    reported) or UsageError. Call inside `with c:`."""
    target = c.options.target
    stop = stop or final_stage(target)
    stage_named(target, stop)
    if start is None:
        ir_in: IR = c.parse(c.decode(text) if isinstance(text, bytes) else text)
    else:
        names = [s.name for s in STAGES[target]]
        if stage_named(target, start).dump_only:
            raise UsageError(f"stage '{start}' cannot be read back (--from takes "
                             f"{', '.join(s.name for s in STAGES[target] if not s.dump_only)})")
        if names.index(start) > names.index(stop):
            raise UsageError(f"--from {start} comes after stage {stop}")
        data = text.encode() if isinstance(text, str) else text
        ir_in = c.read(start, path, c.diags.source_name, data)
    return Compiled(stop, c.lower(ir_in, start, stop), c.kernels, c.sites)


def compile_module(c: Compilation, module: ir.Module, stop: str | None = None) -> Compiled:
    """Compile an ir.Module (in `c.context`), in place."""
    stop = stop or final_stage(c.options.target)
    return Compiled(stop, c.lower(module, None, stop), c.kernels, c.sites)


def state_machine_dot(c: Compilation, text: str | bytes) -> str:
    """Graphviz dot of the state machines that compiling gasync IR `text` for
    the target builds (passes/state_machine_graph.py). Call inside `with c:`."""
    c.passes.state_machines = []
    compile_source(c, text, stop=COROUTINE_STAGE[c.options.target])
    return to_dot(c.passes.state_machines)


def kernel(compiled: Compiled, name: str, c: Compilation) -> KernelInfo:
    """The kernel `name` of a cuda compilation; ProgramError if there is none."""
    if compiled.kernels is None:
        raise UsageError("not supported: a kernel runs from gasync IR, which knows its "
                         "signature; a compilation resumed with --from has none")
    try:
        return find_kernel(compiled.kernels, name)
    except NoSuchKernel as e:
        raise c.error(Position(c.diags.source_name, 0, 0), e.args[0]) from None


def run_cpu(c: Compilation, compiled: Compiled, args: list[str], *,
            summarise_above: int | None = None,
            optimise_limit: int = abi.JIT_OPTIMISE_LIMIT) -> list[str]:
    """JIT and run the entry of a cpu compilation (stage `mlir`); the output
    lines (memrefs of more than `summarise_above` elements summarised); a
    module of more than `optimise_limit` ops is JIT-compiled at -O0.
    Raises ProgramError (what the JIT cannot compile), ArgError or ExecutorFault."""
    try:
        return cpu.execute(compiled.ir, args, c.diags, summarise_above=summarise_above,
                           optimise_limit=optimise_limit)
    except CompileError:
        raise c.failed() from None


def run_on_cpu(text: str, entry: str, args: list[str], *, source_name: str = "<input>",
               stream=sys.stderr, watchdog: int | None = None) -> list[str]:
    """Compile gasync IR for the CPU and run `entry` with `args` (`--arg`
    spellings); the output lines. Raises ProgramError, ArgError or ExecutorFault."""
    options = Options(target="cpu", entry=entry, watchdog=watchdog)
    with Compilation(options, source_name=source_name, stream=stream) as c:
        return run_cpu(c, compile_source(c, text, stop="mlir", path=source_name), args)


def dump(compiled: Compiled) -> list[tuple[str, str | bytes]]:
    """(gpu.module name or "", text or bytes) for each part of a stage's IR."""
    if isinstance(compiled.ir, ir.Module):
        return [("", compiled.ir.operation.get_asm())]
    return [(name, code.data if isinstance(code, DeviceCode) else code)
            for name, code in compiled.ir.items()]
