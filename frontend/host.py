"""Running jit functions from the host on the CPU: `gasync.block_on(f(args))`.

The frontend adds a host entry to the module,

    func.func @_gasync_host(%args...) -> T          // T: f's result, if any
      "gasync.block_on"("gasync.future"(%args) {callee = @f})

whose array parameters have the arguments' static shapes (cast to the
dynamic memrefs that jit functions take). `_run_on_cpu` is the one place
that meets gasync's CPU compile-and-run path.

Caches: in memory, the module text per (function, argument signature, pool)
and the JIT-compiled engine per module text; on disk, the lowered (LLVM
dialect) module under a content hash of the module text (which holds the
source of every function reached, with its file and lines), the options
and the gasync version. `GASYNC_CACHE_DIR` moves the disk cache; set it to
an empty string (or set GASYNC_NO_CACHE=1) to disable it.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import hashlib
import os

import numpy as np

from gasync.runtime import abi
from gasync.runtime.faults import ExecutorFault

from . import api
from .types import NUMPY_DTYPES, ArrayType, ScalarType

HOST_ENTRY = "_gasync_host"
CACHE_ENV = "GASYNC_CACHE_DIR"

HOST_SCALARS = ("i1", "i8", "i16", "i32", "i64", "f32", "f64")
"""The scalar types the host passes and receives (f16 is not among the CPU entry's)."""

_module_texts: dict = {}
_engines: dict = {}


def clear_memory_caches() -> None:
    """Drop the compiled modules and engines kept in memory (a long run of many
    programs, such as the differential tester, calls this between them)."""
    _module_texts.clear()
    _engines.clear()


def check_args(function, params, args, what: str = "call") -> list:
    """The host arguments as the entry takes them; raises the user's errors."""
    from .compiler import Source

    if len(args) != len(params):
        source = Source.of(function.fn)
        file, line, col = source.position(source.tree)
        names = ", ".join(n for n, _ in params)
        raise api.ArgumentCountError(
            f"{file}:{line}:{col}: error: '{function.__name__}' takes {len(params)} argument(s) "
            f"({names}), {len(args)} given at this {what}")
    out = []
    for (name, t), value in zip(params, args):
        if isinstance(t, ArrayType):
            if not isinstance(value, np.ndarray):
                raise TypeError(f"argument '{name}' of '{function.__name__}' must be a numpy array "
                                f"of {NUMPY_DTYPES[t.element.name]} ({t}), not "
                                f"{type(value).__name__}")
            if value.dtype != np.dtype(NUMPY_DTYPES[t.element.name]) or value.ndim != t.rank \
                    or not value.flags.c_contiguous or not value.flags.writeable:
                raise TypeError(f"argument '{name}' of '{function.__name__}' must be a writeable "
                                f"C-contiguous {t.rank}-d numpy array of "
                                f"{NUMPY_DTYPES[t.element.name]} ({t}); got a {value.ndim}-d array "
                                f"of {value.dtype}{'' if value.flags.c_contiguous else ', not contiguous'} "
                                "(no silent copy is made)")
            out.append(value)
            continue
        out.append(check_scalar(function, name, t, value))
    return out


def check_scalar(function, name: str, t: ScalarType, value):
    where = f"argument '{name}' of '{function.__name__}'"
    if t.name not in HOST_SCALARS:
        raise TypeError(f"{where}: {t} scalars cannot be passed from the host")
    if isinstance(value, np.generic):
        value = value.item()
    if t.is_bool:
        if not isinstance(value, bool):
            raise TypeError(f"{where} must be a bool, not {type(value).__name__}")
        return value
    if t.is_float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"{where} must be a float, not {type(value).__name__}")
        return float(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{where} must be an int, not {type(value).__name__}")
    if not t.fits(value):
        raise OverflowError(f"{where}: {value} does not fit in {t} [{t.min}, {t.max}]")
    return value


def host_signature(args) -> tuple:
    return tuple(("array", a.shape) if isinstance(a, np.ndarray) else ("scalar",) for a in args)


def module_text(function, args, pool: int | None = None) -> str:
    """The module for running `function(*args)` from the host (cached)."""
    key = (id(function), host_signature(args), pool)
    cached = _module_texts.get(key)
    if cached is not None and cached[0] is function:
        return cached[1]
    from .compiler import build_host_entry, run_frontend

    built = run_frontend(lambda program: build_host_entry(program, function, args, pool))
    _module_texts[key] = (function, built)
    return built


def run(call: api.Call, pool: int | None = None):
    function = call.function
    if not function.is_async:
        raise TypeError(f"gasync.block_on takes a call of an async def; '{function.__name__}' is "
                        "a plain def")
    signature = signature_of(function)
    args = check_args(function, signature.params, call.args)
    pool = pool if pool is not None else function.options.get("pool")
    text = module_text(function, args, pool)
    try:
        results = _run_on_cpu(text, HOST_ENTRY, args, [t for _, t in signature.params],
                              [] if signature.result is None else [signature.result],
                              watchdog=function.options.get("watchdog"))
    except ExecutorFault as fault:
        raise runtime_fault(fault, function) from None
    return results[0] if results else None


PYTHON_FAULTS = {abi.Fault.DIVISION_BY_ZERO: "integer division or modulo by zero",
                 abi.Fault.OUT_OF_BOUNDS: "index out of range",
                 abi.Fault.NEGATIVE_SHIFT: "negative shift count"}
"""Faults of one Python line, in CPython's words (ZeroDivisionError, IndexError,
ValueError)."""


def runtime_fault(fault: ExecutorFault, function) -> api.RuntimeFault:
    """The RuntimeFault of an executor's fault in a run of `function` (a jit
    function from the host, or a kernel): a fault of one line names that line
    and its function; an executor's fault names `function`'s definition, the
    site (a spawn, an await) in its message."""
    sites = tuple(dataclasses.replace(site, function=python_function(site.location) or
                                      site.function) for site in fault.record.sites)
    record = dataclasses.replace(fault.record, sites=sites)
    if record.code in PYTHON_FAULTS and 0 <= record.detail < len(sites):
        site = sites[record.detail]
        return api.RuntimeFault(PYTHON_FAULTS[record.code], site.function, site.location)
    from .compiler import Source
    source = Source.of(function.fn)
    where = "{}:{}:{}".format(*source.position(source.tree))
    return api.RuntimeFault(record.message, function.__qualname__, where)


def python_function(location: str) -> str | None:
    """The Python function whose source holds `location` (`file:line:col`),
    as Python qualifies it (`two.<locals>.inner` for a nested async def):
    what a site names, rather than the symbol the compiler made for it (an
    outlined async block is `two$block`). None when the file is not Python."""
    file, _, rest = location.rpartition(":")
    file, _, line = file.rpartition(":")
    if not file.endswith(".py") or not line.isdigit():
        return None
    try:
        defs = _python_functions(file, os.path.getmtime(file))
    except OSError:
        return None
    found = None
    for first, last, qualname in defs:
        if first <= int(line) <= last:
            found = qualname  # later entries are nested deeper
    return found


@functools.lru_cache(maxsize=64)
def _python_functions(file: str, mtime: float) -> tuple[tuple[int, int, str], ...]:
    """(first line, last line, qualname) of every def in `file` (as of its
    modification time `mtime`), outer first."""
    try:
        with open(file) as f:
            tree = ast.parse(f.read())
    except (OSError, SyntaxError, ValueError):
        return ()
    found = []

    def visit(node, prefix: str):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found.append((child.lineno, child.end_lineno, prefix + child.name))
                visit(child, f"{prefix}{child.name}.<locals>.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            else:
                visit(child, prefix)
    visit(tree, "")
    return tuple(found)


def signature_of(function):
    cached = getattr(function, "_gasync_signature", None)
    if cached is None:
        from .compiler import FrontendError, Source, format_error, parse_signature
        try:
            cached = parse_signature(function, Source.of(function.fn),
                                     not isinstance(function, api.JitFunction))
        except FrontendError as err:
            raise api.CompileError(format_error(err)) from None
        function._gasync_signature = cached
    return cached


# --------------------------------------------------------------------------
# The CPU path


def _cache_key(module_text: str, entry: str, watchdog) -> str:
    import gasync

    h = hashlib.sha256()
    for part in (gasync.__version__, entry, repr(watchdog), module_text):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()


def _run_on_cpu(module_text: str, entry: str, args: list, arg_types: list,
                result_types: list[ScalarType], *, watchdog: int | None = None) -> list:
    """Compile `module_text` for the CPU (cached) and call `entry` with `args`
    (checked Python scalars, numpy arrays updated in place); its results.
    Raises ExecutorFault."""
    from mlir import ir

    from gasync.pipeline import cpu, driver
    from gasync.pipeline.cache import cache_dir
    from gasync.passes.site_table import read_sites

    key = _cache_key(module_text, entry, watchdog)
    engine = _engines.get(key)
    if engine is None:
        options = driver.Options(target="cpu", entry=entry, watchdog=watchdog)
        c = driver.Compilation(options, stream=None)
        directory = cache_dir()
        path = os.path.join(directory, key + ".mlir") if directory else None
        with c:
            lowered = None
            if path and os.path.exists(path):
                try:
                    with open(path) as f:
                        lowered = ir.Module.parse(f.read())
                except (OSError, ir.MLIRError):
                    lowered = None  # a damaged entry is recompiled
            try:
                if lowered is None:
                    lowered = driver.compile_source(c, module_text, stop="mlir").ir
                    if path:
                        _write_atomically(path, lowered.operation.get_asm(enable_debug_info=True))
                jit = cpu.jit(lowered, c.diags, symbol=cpu.ENTRY_WRAPPER)
            except driver.CompileError:
                raise api.CompileError("\n".join(d.render() for d in c.diags.diagnostics
                                                  if d.severity.value == "error")) from None
            wrapper_args, wrapper_results = cpu.wrapper_types(cpu.wrappers(lowered)[cpu.ENTRY_WRAPPER])
            engine = (c, lowered, jit, wrapper_args, wrapper_results, read_sites(lowered.operation))
        _engines[key] = engine
    _, _, jit, wrapper_args, wrapper_results, sites = engine
    return cpu.call(jit, cpu.ENTRY_WRAPPER, wrapper_args, wrapper_results, args, sites)


def _write_atomically(path: str, text: str) -> None:
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only cache only costs time
