"""The CPU target's pieces, which pipeline/driver.py puts in its stage table:
the entry wrapper and the JIT run (the executor's CPU hooks are a pass,
gasync-link-cpu-runtime).

The entry (a `func.func`, not async) is called through a generated wrapper,
`_gasync_entry(%status, %result_ptrs..., %args...)` with
`llvm.emit_c_interface`, that stores each result through a pointer: the
packed calling convention of the ExecutionEngine then takes every argument
and result as a pointer, whatever the number of results and their types.
The wrapper carries the entry's MLIR signature (`gasync.entry_type`), so a
module dumped after any stage can be run later.
"""

from __future__ import annotations

import ctypes

import numpy as np
from mlir import ir
from mlir.dialects import func, llvm

from gasync.dialect.catalogue import ASYNC_ATTR
from gasync.dialect.diagnostics import CompileError, DiagnosticEngine
from gasync.dialect.ir_utils import walk
from gasync.passes import frame as fr
from gasync.passes.site_table import read_sites
from gasync.runtime.args import ArgError, ArgType, format_outputs, parse_args, parse_type
from gasync.runtime import abi
from gasync.runtime.faults import check_status

ENTRY_WRAPPER = "_gasync_entry"
ENTRY_TYPE_ATTR = "gasync.entry_type"
ENTRY_NAME_ATTR = "gasync.entry_name"


def find_entry(module: ir.Module, entry: str, diags: DiagnosticEngine) -> ir.Operation:
    for op in module.body.operations:
        op = op.operation
        if op.name == "func.func" and ir.StringAttr(op.attributes["sym_name"]).value == entry:
            if ASYNC_ATTR in op.attributes:
                diags.error(op.location, f"entry '@{entry}' is an async function: run it from a "
                                         "host function with gasync.block_on")
                raise CompileError()
            if len(op.regions[0].blocks) == 0:
                diags.error(op.location, f"entry '@{entry}' is only a declaration")
                raise CompileError()
            return op
    diags.error(module.operation.location, f"no top-level func.func named '@{entry}' to run")
    raise CompileError()


def entry_types(ftype: ir.FunctionType) -> tuple[list[ArgType], list[ArgType]]:
    """The argument and result types of an entry; ArgError if the CPU cannot run it."""
    args = [parse_type(str(t)) for t in ftype.inputs]
    results = [parse_type(str(t)) for t in ftype.results]
    for spec in results:
        if spec.is_memref or spec.element == "f16":
            raise ArgError(f"entry result of type {spec} is not supported by gasync-run "
                           "(scalar results only; return memrefs through arguments)")
    for spec in args:
        if spec.element == "f16" or not spec.is_static:
            raise ArgError(f"entry argument of type {spec} is not supported on the CPU (scalars "
                           "and memrefs of static shape, of integer, index, f32 or f64 type)")
    return args, results


def drop_device_code(module: ir.Module) -> None:
    """gpu.modules hold device code, which the CPU does not run (the GPU
    pipeline compiles it); their kernels may share the host's async functions,
    which stay."""
    for op in list(module.body.operations):
        if op.operation.name == "gpu.module":
            op.operation.erase()


def host_functions(module: ir.Module) -> tuple[list[ir.Operation], dict[str, str]]:
    """The public, defined, non-async func.funcs whose types the host can pass
    (Python may call them), and, for every other public function, why not."""
    callable_, refused = [], {}
    for op in module.body.operations:
        op = op.operation
        if op.name != "func.func" or "sym_visibility" in op.attributes:
            continue
        name = ir.StringAttr(op.attributes["sym_name"]).value
        if ASYNC_ATTR in op.attributes:
            refused[name] = "it is an async function: call a host function that block_on's it"
        elif len(op.regions[0].blocks) == 0:
            refused[name] = "it is only a declaration"
        else:
            try:
                entry_types(ir.FunctionType(ir.TypeAttr(op.attributes["function_type"]).value))
            except ArgError as e:
                refused[name] = str(e)
                continue
            callable_.append(op)
    return callable_, refused


def wrapper_name(entry: str) -> str:
    """The wrapper of `entry` when every public function is wrapped."""
    return f"{ENTRY_WRAPPER}_{entry}"


def add_entry_wrapper(module: ir.Module, fn: ir.Operation, diags: DiagnosticEngine,
                      wrapper_symbol: str = ENTRY_WRAPPER) -> None:
    """`_gasync_entry(%status, %results..., %args...)`: clears the status
    record (runtime/abi.py; declared here, defined by gasync-link-cpu-runtime),
    calls the entry, stores its results, and copies the status record to
    %status."""
    ftype = ir.FunctionType(ir.TypeAttr(fn.attributes["function_type"]).value)
    name = ir.StringAttr(fn.attributes["sym_name"]).value
    try:
        entry_types(ftype)
    except ArgError as e:
        diags.error(fn.location, f"entry '@{name}' cannot be run: {e}")
        raise CompileError() from None
    results = list(ftype.results)
    inputs = [fr.ptr()] * (1 + len(results)) + list(ftype.inputs)
    loc = fn.location
    record_type = ir.Type.parse(f"!llvm.array<{abi.STATUS_WORDS} x i32>")
    with loc, ir.InsertionPoint(module.body):
        if abi.STATUS_SYMBOL not in ir.SymbolTable(module.operation):
            llvm.GlobalOp(record_type, abi.STATUS_SYMBOL,
                          ir.Attribute.parse("#llvm.linkage<external>"))
        wrapper = func.FuncOp(wrapper_symbol, ir.FunctionType.get(inputs, []))
        wrapper.operation.attributes["llvm.emit_c_interface"] = ir.UnitAttr.get()
        wrapper.operation.attributes[ENTRY_TYPE_ATTR] = ir.TypeAttr.get(ftype)
        wrapper.operation.attributes[ENTRY_NAME_ATTR] = ir.StringAttr.get(name)
        block = wrapper.add_entry_block()
        with ir.InsertionPoint(block):
            record = llvm.AddressOfOp(fr.ptr(), abi.STATUS_SYMBOL).result
            llvm.store(llvm.mlir_zero(record_type), record)
            call = func.CallOp(results, ir.FlatSymbolRefAttr.get(name),
                               list(block.arguments)[1 + len(results):])
            for i, r in enumerate(call.results):
                fr.store(r, block.arguments[1 + i], 0, loc=loc, ip=None)
            llvm.store(llvm.load(record_type, record), block.arguments[0])
            func.ReturnOp([])


def prepare(module: ir.Module, entry: str | None, diags: DiagnosticEngine,
            wrap_all: bool = False) -> None:
    """Before the coroutine lowering: drop device code and add the wrapper of
    the entry named (or, `wrap_all`, of every function Python may call); the
    CPU hooks are merged by gasync-link-cpu-runtime, inside the pipeline.
    Raises CompileError after reporting."""
    fn = find_entry(module, entry, diags) if entry else None
    wrapped = host_functions(module)[0] if wrap_all else []
    drop_device_code(module)
    if fn is not None:
        add_entry_wrapper(module, fn, diags)
    for op in wrapped:
        add_entry_wrapper(module, op, diags,
                          wrapper_name(ir.StringAttr(op.attributes["sym_name"]).value))


UNREALIZED_CAST = "builtin.unrealized_conversion_cast"


def check_llvm_dialect(module: ir.Module, diags: DiagnosticEngine) -> None:
    """What the JIT can take: the LLVM dialect only, and functions that are
    defined in the module or in this process (the C library's, for memref
    allocation). Reports the first op the lowering left in another dialect,
    or the first function nothing defines, and raises CompileError. An op
    that has no lowering here is named rather than the unrealized casts that
    its neighbours' lowering leaves around it; a cast is reported only when
    it is all that is left."""
    first: dict[str, ir.Operation] = {}
    declarations: list[ir.Operation] = []

    def visit(op: ir.Operation) -> ir.WalkResult:
        name = op.name
        if name == "llvm.func" and not op.regions[0].blocks:
            declarations.append(op)
        if name.startswith("llvm.") or name == "builtin.module":
            return ir.WalkResult.ADVANCE
        first.setdefault("cast" if name == UNREALIZED_CAST else "op", op)
        return ir.WalkResult.ADVANCE if name == UNREALIZED_CAST else ir.WalkResult.INTERRUPT

    module.operation.walk(visit, ir.WalkOrder.PRE_ORDER)
    if "op" in first:
        op = first["op"]
        hint = (" (GPU ops run inside a gpu.module kernel: --target cuda)"
                if op.name.startswith(("gpu.", "nvvm.")) else "")
        diags.error(op.location, f"not supported on the CPU: '{op.name}' has no lowering to the "
                                 f"LLVM dialect in the CPU pipeline{hint}")
        raise CompileError()
    if "cast" in first:
        op = first["cast"]
        sources = ", ".join(str(v.type) for v in op.operands)
        targets = ", ".join(str(r.type) for r in op.results)
        diags.error(op.location, f"not supported on the CPU: a value of type {sources} used as "
                                 f"{targets} is left unconverted by the lowering to the LLVM "
                                 f"dialect ('{UNREALIZED_CAST}')")
        raise CompileError()
    process = ctypes.CDLL(None)
    for op in declarations:
        name = ir.StringAttr(op.attributes["sym_name"]).value
        if not hasattr(process, name):
            diags.error(op.location, f"'@{name}' is declared but not defined: the CPU run has no "
                                     "library that defines it")
            raise CompileError()


def wrappers(module: ir.Module) -> dict[str, ir.Operation]:
    """The entry wrappers of a lowered module, by wrapper symbol (not their C
    interfaces, `_mlir_ciface_*`, which carry the same attributes)."""
    found = {ir.StringAttr(op.operation.attributes["sym_name"]).value: op.operation
             for op in module.body.operations
             if op.operation.name == "llvm.func" and ENTRY_TYPE_ATTR in op.operation.attributes}
    return {name: op for name, op in found.items() if not name.startswith("_mlir_ciface_")}


def wrapper_types(wrapper: ir.Operation) -> tuple[list[ArgType], list[ArgType]]:
    return entry_types(ir.FunctionType(ir.TypeAttr(wrapper.attributes[ENTRY_TYPE_ATTR]).value))


def call_wrapper(engine, symbol: str, arg_types: list[ArgType], result_types: list[ArgType],
                 arrays: list[np.ndarray], sites=()) -> list:
    """Call wrapper `symbol` of a JIT-compiled module with `arrays` (one numpy
    array per argument: a 0-d array of exactly the scalar's dtype, or a
    C-contiguous array of the memref's dtype and shape, updated in place);
    its results as numpy scalars. Raises ExecutorFault."""
    from mlir.runtime import get_ranked_memref_descriptor

    status = (ctypes.c_int32 * abi.STATUS_WORDS)()
    results = [np.zeros((), s.dtype) for s in result_types]
    keep = []  # ctypes objects must outlive the call
    packed = []
    for address in [ctypes.addressof(status)] + [r.ctypes.data for r in results]:
        p = ctypes.c_void_p(address)
        keep.append(p)
        packed.append(ctypes.pointer(p))
    for array, spec in zip(arrays, arg_types):
        if spec.is_memref:
            desc_ptr = ctypes.pointer(get_ranked_memref_descriptor(array))
            keep.append(desc_ptr)
            packed.append(ctypes.pointer(desc_ptr))
        else:
            packed.append(ctypes.cast(ctypes.c_void_p(array.ctypes.data),
                                      ctypes.POINTER(ctypes.c_byte)))
    engine.invoke(symbol, *packed)
    check_status(list(status), sites)
    return [r[()] for r in results]


def python_value(value, layout: ArgType):
    """A result (a numpy scalar) as the Python value of its type."""
    if layout.element == "i1":
        return bool(value)
    if layout.element.startswith("f"):
        return float(value)
    return int(value)


def call(engine, symbol: str, arg_types: list[ArgType], result_types: list[ArgType],
         values: list, sites=()) -> list:
    """Call wrapper `symbol` with `values`, already checked against
    `arg_types` (scalars in range, numpy arrays of the memref's dtype and
    shape, updated in place); its results as Python values. Raises
    ExecutorFault."""
    arrays = [value if t.is_memref else np.array(value, dtype=t.dtype)
              for value, t in zip(values, arg_types)]
    results = call_wrapper(engine, symbol, arg_types, result_types, arrays, sites)
    return [python_value(r, t) for r, t in zip(results, result_types)]


def execute(module: ir.Module, arg_texts: list[str], diags: DiagnosticEngine, *,
            opt_level: int = 2, optimise_limit: int = abi.JIT_OPTIMISE_LIMIT,
            summarise_above: int | None = None) -> list[str]:
    """JIT the lowered module and run its entry wrapper with `arg_texts` (the
    `--arg` spellings); the output lines, memrefs of more than
    `summarise_above` elements summarised. Raises UsageError (a module without
    a wrapper, bad arguments), CompileError after reporting (what the JIT
    cannot compile) or ExecutorFault."""
    from gasync.runtime.errors import UsageError

    wrapper = wrappers(module).get(ENTRY_WRAPPER)
    if wrapper is None:
        raise UsageError("the module has no entry to run: compile it with --entry NAME")
    arg_types, result_types = wrapper_types(wrapper)
    values, _ = parse_args(arg_types, arg_texts)
    arrays = [np.ascontiguousarray(v) if s.is_memref else np.array(v, dtype=s.dtype)
              for v, s in zip(values, arg_types)]
    engine = jit(module, diags, opt_level=opt_level, optimise_limit=optimise_limit,
                 symbol=ENTRY_WRAPPER)
    results = call_wrapper(engine, ENTRY_WRAPPER, arg_types, result_types, arrays,
                           read_sites(module.operation))
    return format_outputs(results, result_types, arrays, arg_types, summarise_above)


def jit_opt_level(module: ir.Module, opt_level: int, optimise_limit: int) -> int:
    """`opt_level`, or 0 for a module of more than `optimise_limit` ops."""
    if not optimise_limit or opt_level == 0:
        return opt_level
    for count, _ in enumerate(walk(module.operation), 1):
        if count > optimise_limit:
            return 0
    return opt_level


def jit(module: ir.Module, diags: DiagnosticEngine, *, opt_level: int = 2,
        optimise_limit: int = abi.JIT_OPTIMISE_LIMIT, symbol: str | None = None):
    """An ExecutionEngine for the lowered module, which must be all LLVM dialect,
    optimised at `opt_level` unless it has more than `optimise_limit` ops
    (abi.JIT_OPTIMISE_LIMIT); `symbol` is looked up at once, so that missing
    symbols fail here. Raises CompileError after reporting what the JIT cannot
    compile or link."""
    from mlir.execution_engine import ExecutionEngine

    check_llvm_dialect(module, diags)
    errors_before = diags.error_count
    try:
        engine = ExecutionEngine(module, opt_level=jit_opt_level(module, opt_level,
                                                                 optimise_limit))
    except RuntimeError as e:  # MLIR's translation or LLVM's JIT refused the module
        if diags.error_count == errors_before:  # nothing located came with it
            diags.error(module.operation.location, f"the JIT cannot compile the module: {e}")
        raise CompileError() from None
    if symbol is not None:
        try:
            engine.lookup(symbol)  # links the module: missing symbols fail here
        except RuntimeError as e:
            diags.error(module.operation.location, f"the JIT cannot link the module: {e}")
            raise CompileError() from None
    return engine
