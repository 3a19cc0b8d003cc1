"""Running jit functions from the host on the CPU: `gasync.block_on(f(args))`.

The frontend adds a host entry to the module,

    func.func @_gasync_host(%args...) -> (T, i32)   // T: f's result, if any
      "gasync.block_on"("gasync.future"(%args) {callee = @f}) ; + the first
      faulting Python line (0: none)

whose array parameters have the arguments' static shapes (cast to the
dynamic memrefs that jit functions take). `_run_on_cpu` is the one place
that meets gasync's CPU compile-and-run path.

Caches: in memory, the module text per (function, argument signature, pool)
and the JIT-compiled engine per module text; on disk, the lowered (LLVM
dialect) module under a content hash of the module text (which holds the
source of every function reached, with its file and lines), the options
and the gasync version. `GASYNC_CACHE_DIR` moves the disk cache; set it to
an empty string (or `off`) to disable it.
"""

from __future__ import annotations

import ctypes
import hashlib
import os

import numpy as np

from . import api
from .types import NUMPY_DTYPES, ArrayType, ScalarType, i32

HOST_ENTRY = "_gasync_host"
CACHE_ENV = "GASYNC_CACHE_DIR"

_CTYPES = {"i1": ctypes.c_bool, "i8": ctypes.c_int8, "i16": ctypes.c_int16,
           "i32": ctypes.c_int32, "i64": ctypes.c_int64, "f32": ctypes.c_float,
           "f64": ctypes.c_double}

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
    if t.name not in _CTYPES:
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


def module_text(function, args, pool: int | None = None) -> tuple[str, list]:
    """The module for running `function(*args)` from the host, and its fault
    sites (cached)."""
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
    text, sites = module_text(function, args, pool)
    try:
        results = _run_on_cpu(text, HOST_ENTRY, args, [t for _, t in signature.params],
                              [] if signature.result is None else [signature.result],
                              watchdog=function.options.get("watchdog"))
    except api.RuntimeFault as fault:
        # The executor's fault names no line: report the function block_on ran.
        from .compiler import Source
        source = Source.of(function.fn)
        where = "{}:{}:{}".format(*source.position(source.tree))
        raise api.RuntimeFault(fault.fault, function.__name__, where) from None
    fault_site = results.pop()
    if fault_site:
        file, line, col, where = sites[fault_site - 1]
        raise api.RuntimeFault("integer division or modulo by zero", where,
                               f"{file}:{line}:{col}")
    return results[0] if results else None


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


def cache_dir() -> str | None:
    value = os.environ.get(CACHE_ENV)
    if value is None:
        return os.path.join(os.path.expanduser("~"), ".cache", "gasync")
    if value.strip() in ("", "off", "0"):
        return None
    return value


def _cache_key(module_text: str, entry: str, watchdog) -> str:
    import gasync

    h = hashlib.sha256()
    for part in (gasync.__version__, entry, repr(watchdog), module_text):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()


def _run_on_cpu(module_text: str, entry: str, args: list, arg_types: list,
                result_types: list[ScalarType], *, watchdog: int | None = None) -> list:
    """Compile `module_text` for the CPU (cached), call `entry` with `args`
    (Python scalars, numpy arrays updated in place); returns its results, the
    last being the fault line (i32). Executor faults raise RuntimeFault."""
    from mlir import ir
    from mlir.execution_engine import ExecutionEngine
    from mlir.runtime import get_ranked_memref_descriptor

    from gasync.dialect.context import prepare_context
    from gasync.dialect.diagnostics import CompileError, DiagnosticEngine
    from gasync.pipeline import cpu
    from gasync.runtime.faults import ExecutorFault

    key = _cache_key(module_text, entry, watchdog)
    engine = _engines.get(key)
    if engine is None:
        context = prepare_context(ir.Context())
        directory = cache_dir()
        path = os.path.join(directory, key + ".mlir") if directory else None
        with context, ir.Location.unknown():
            lowered = None
            if path and os.path.exists(path):
                try:
                    with open(path) as f:
                        lowered = ir.Module.parse(f.read())
                except (OSError, ir.MLIRError):
                    lowered = None  # a damaged entry is recompiled
            if lowered is None:
                diags = DiagnosticEngine(stream=None, echo=False)
                handler = diags.capture(context)
                try:
                    lowered, _ = cpu.compile_for_cpu(module_text, entry, diags, context, watchdog)
                except CompileError:
                    raise api.CompileError("\n".join(d.render() for d in diags.diagnostics
                                                      if d.severity.value == "error")) from None
                finally:
                    handler.detach()
                if path:
                    _write_atomically(path, lowered.operation.get_asm(enable_debug_info=True))
            engine = (context, lowered, ExecutionEngine(lowered, opt_level=2))
        _engines[key] = engine
    _, _, jit = engine
    keep = []
    fault = (ctypes.c_int32 * 2)()
    fault_ptr = ctypes.c_void_p(ctypes.addressof(fault))
    packed = [ctypes.pointer(fault_ptr)]
    buffers = [_CTYPES[t.name]() for t in list(result_types) + [i32]]
    for buf in buffers:
        p = ctypes.c_void_p(ctypes.addressof(buf))
        keep.append(p)
        packed.append(ctypes.pointer(p))
    for value, t in zip(args, arg_types):
        if isinstance(t, ArrayType):
            desc = get_ranked_memref_descriptor(value)
            desc_ptr = ctypes.pointer(desc)
            keep += [desc, desc_ptr]
            packed.append(ctypes.pointer(desc_ptr))
        else:
            c = _CTYPES[t.name](value)
            keep.append(c)
            packed.append(ctypes.pointer(c))
    jit.invoke(cpu.ENTRY_WRAPPER, *packed)
    if fault[0] != 0:
        raise api.RuntimeFault(str(ExecutorFault(fault[0], fault[1])), entry, "")
    return [b.value for b in buffers]


def _write_atomically(path: str, text: str) -> None:
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only cache only costs time
