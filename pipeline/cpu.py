"""The CPU target's pieces, which pipeline/driver.py puts in its stage table:
the executor's CPU hooks, the entry wrapper, and the JIT run.

The entry (a `func.func`, not async) is called through a generated wrapper,
`_gasync_entry(%fault, %result_ptrs..., %args...)` with
`llvm.emit_c_interface`, that stores each result through a pointer: the
packed calling convention of the ExecutionEngine then takes every argument
and result as a pointer, whatever the number of results and their types.
The wrapper carries the entry's MLIR signature (`gasync.entry_type`), so a
module dumped after any stage can be run later. It clears the fault record
before the call, so that one JIT-compiled module can be called many times
(the Python API, `gasync.compile(..., target="cpu")`, wraps every public
function, each as `_gasync_entry_NAME`).
"""

from __future__ import annotations

import ctypes

import numpy as np
from mlir import ir
from mlir.dialects import func, llvm

from gasync.dialect.catalogue import ASYNC_ATTR
from gasync.dialect.diagnostics import CompileError, DiagnosticEngine
from gasync.passes import executor
from gasync.passes import frame as fr
from gasync.runtime.args import ArgError, ArgType, format_outputs, parse_args, parse_type
from gasync.runtime.faults import ExecutorFault

ENTRY_WRAPPER = "_gasync_entry"
FAULT_RECORD = "gasync_rt_fault_record"

# The CPU's side of the executor (runtime/executor.mlir's target hooks): the
# first fault is kept in a global that the entry wrapper hands back to the
# host; a CPU thread is a scope of one lane.
CPU_RUNTIME = f"""
llvm.mlir.global internal @{FAULT_RECORD}(dense<0> : tensor<2xi32>) : !llvm.array<2 x i32>
func.func private @{executor.FAULT}(%code: i32, %detail: i32) {{
  %record = llvm.mlir.addressof @{FAULT_RECORD} : !llvm.ptr
  %first = llvm.load %record : !llvm.ptr -> i32
  %zero = arith.constant 0 : i32
  %none = arith.cmpi eq, %first, %zero : i32
  cf.cond_br %none, ^keep, ^done
^keep:
  llvm.store %code, %record : i32, !llvm.ptr
  %d = llvm.getelementptr %record[4] : (!llvm.ptr) -> !llvm.ptr, i8
  llvm.store %detail, %d : i32, !llvm.ptr
  cf.br ^done
^done:
  return
}}
// A CPU thread is a scope of one lane.
func.func private @gasync_rt_vote_all(%scope: i32, %x: i1) -> i1 {{
  return %x : i1
}}
func.func private @gasync_rt_vote_max(%scope: i32, %x: i32) -> i32 {{
  return %x : i32
}}
func.func private @gasync_rt_converged(%scope: i32) -> i1 {{
  %true = arith.constant true
  return %true : i1
}}
// A CPU block is one warp of one lane.
func.func private @gasync_rt_broadcast(%scope: i32, %x: i32) -> i32 {{
  return %x : i32
}}
func.func private @gasync_rt_lane(%scope: i32) -> i32 {{
  %zero = arith.constant 0 : i32
  return %zero : i32
}}
func.func private @gasync_rt_warp(%scope: i32) -> i32 {{
  %zero = arith.constant 0 : i32
  return %zero : i32
}}
func.func private @gasync_rt_warps(%scope: i32) -> i32 {{
  %one = arith.constant 1 : i32
  return %one : i32
}}
func.func private @gasync_rt_barrier(%scope: i32) {{
  return
}}
func.func private @gasync_rt_syncwarp(%scope: i32) {{
  return
}}
func.func private @gasync_rt_shared_cas(%p: !llvm.ptr, %old: i32, %new: i32) -> i1 {{
  %pair = llvm.cmpxchg %p, %old, %new acq_rel monotonic : !llvm.ptr, i32
  %ok = llvm.extractvalue %pair[1] : !llvm.struct<(i32, i1)>
  return %ok : i1
}}
func.func private @gasync_rt_shared_add(%p: !llvm.ptr, %x: i32) -> i32 {{
  %old = llvm.atomicrmw add %p, %x acq_rel : !llvm.ptr, i32
  return %old : i32
}}
"""
ENTRY_TYPE_ATTR = "gasync.entry_type"
ENTRY_NAME_ATTR = "gasync.entry_name"
"""On a wrapper: the name of the function it calls."""


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


def add_cpu_runtime(module: ir.Module) -> None:
    table = ir.SymbolTable(module.operation)
    runtime = ir.Module.parse(CPU_RUNTIME, module.context)
    for op in runtime.body.operations:
        if ir.StringAttr(op.operation.attributes["sym_name"]).value not in table:
            ir.InsertionPoint(module.body).insert(op.operation.clone())


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
    """`_gasync_entry(%fault, %results..., %args...)`: clears the fault record,
    calls the entry, stores its results, and copies the fault record (code,
    detail) to %fault."""
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
    record_type = ir.Type.parse("!llvm.array<2 x i32>")
    with loc, ir.InsertionPoint(module.body):
        wrapper = func.FuncOp(wrapper_symbol, ir.FunctionType.get(inputs, []))
        wrapper.operation.attributes["llvm.emit_c_interface"] = ir.UnitAttr.get()
        wrapper.operation.attributes[ENTRY_TYPE_ATTR] = ir.TypeAttr.get(ftype)
        wrapper.operation.attributes[ENTRY_NAME_ATTR] = ir.StringAttr.get(name)
        block = wrapper.add_entry_block()
        with ir.InsertionPoint(block):
            record = llvm.AddressOfOp(fr.ptr(), FAULT_RECORD).result
            llvm.store(llvm.mlir_zero(record_type), record)
            call = func.CallOp(results, ir.FlatSymbolRefAttr.get(name),
                               list(block.arguments)[1 + len(results):])
            for i, r in enumerate(call.results):
                fr.store(r, block.arguments[1 + i], 0, loc=loc, ip=None)
            fault = llvm.load(record_type, record)
            llvm.store(fault, block.arguments[0])
            func.ReturnOp([])


def prepare(module: ir.Module, entry: str | None, diags: DiagnosticEngine,
            wrap_all: bool = False) -> None:
    """Before the coroutine lowering: drop device code, merge the CPU hooks and
    add the wrapper of the entry named (or, `wrap_all`, of every function
    Python may call). Raises CompileError after reporting."""
    fn = find_entry(module, entry, diags) if entry else None
    wrapped = host_functions(module)[0] if wrap_all else []
    drop_device_code(module)
    add_cpu_runtime(module)
    if fn is not None:
        add_entry_wrapper(module, fn, diags)
    for op in wrapped:
        add_entry_wrapper(module, op, diags, wrapper_name(ir.StringAttr(op.attributes["sym_name"]).value))


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
                 arrays: list[np.ndarray]) -> list:
    """Call wrapper `symbol` of a JIT-compiled module with `arrays` (one numpy
    array per argument: a 0-d array of exactly the scalar's dtype, or a
    C-contiguous array of the memref's dtype and shape, updated in place);
    its results as numpy scalars. Raises ExecutorFault."""
    from mlir.runtime import get_ranked_memref_descriptor

    fault = (ctypes.c_int32 * 2)()
    results = [np.zeros((), s.dtype) for s in result_types]
    keep = []  # ctypes objects must outlive the call
    packed = []
    for address in [ctypes.addressof(fault)] + [r.ctypes.data for r in results]:
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
    if fault[0] != 0:
        raise ExecutorFault(fault[0], fault[1])
    return [r[()] for r in results]


def execute(module: ir.Module, arg_texts: list[str], opt_level: int = 2) -> list[str]:
    """JIT the lowered module and run its entry wrapper with `arg_texts` (the
    `--arg` spellings); the output lines. Raises UsageError (a module without
    a wrapper, bad arguments) or ExecutorFault."""
    from mlir.execution_engine import ExecutionEngine

    from gasync.runtime.errors import UsageError

    wrapper = wrappers(module).get(ENTRY_WRAPPER)
    if wrapper is None:
        raise UsageError("the module has no entry to run: compile it with --entry NAME")
    arg_types, result_types = wrapper_types(wrapper)
    values, _ = parse_args(arg_types, arg_texts)
    arrays = [np.ascontiguousarray(v) if s.is_memref else np.array(v, dtype=s.dtype)
              for v, s in zip(values, arg_types)]
    engine = ExecutionEngine(module, opt_level=opt_level)
    results = call_wrapper(engine, ENTRY_WRAPPER, arg_types, result_types, arrays)
    return format_outputs(results, result_types, arrays, arg_types)
