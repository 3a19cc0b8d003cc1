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
from gasync.passes import frame as fr
from gasync.passes.site_table import read_sites
from gasync.runtime.args import ArgError, ArgType, format_outputs, parse_args, parse_type
from gasync.runtime import abi
from gasync.runtime.faults import check_status

ENTRY_WRAPPER = "_gasync_entry"
ENTRY_TYPE_ATTR = "gasync.entry_type"


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


def add_entry_wrapper(module: ir.Module, fn: ir.Operation, diags: DiagnosticEngine) -> None:
    """`_gasync_entry(%status, %results..., %args...)`: calls the entry, stores
    its results, and copies the status record (runtime/abi.py; declared here,
    defined by gasync-link-cpu-runtime) to %status."""
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
        llvm.GlobalOp(record_type, abi.STATUS_SYMBOL, ir.Attribute.parse("#llvm.linkage<external>"))
        wrapper = func.FuncOp(ENTRY_WRAPPER, ir.FunctionType.get(inputs, []))
        wrapper.operation.attributes["llvm.emit_c_interface"] = ir.UnitAttr.get()
        wrapper.operation.attributes[ENTRY_TYPE_ATTR] = ir.TypeAttr.get(ftype)
        block = wrapper.add_entry_block()
        with ir.InsertionPoint(block):
            call = func.CallOp(results, ir.FlatSymbolRefAttr.get(name),
                               list(block.arguments)[1 + len(results):])
            for i, r in enumerate(call.results):
                fr.store(r, block.arguments[1 + i], 0, loc=loc, ip=None)
            record = llvm.AddressOfOp(fr.ptr(), abi.STATUS_SYMBOL).result
            llvm.store(llvm.load(record_type, record), block.arguments[0])
            func.ReturnOp([])


def prepare(module: ir.Module, entry: str | None, diags: DiagnosticEngine) -> None:
    """Before the coroutine lowering: drop device code and, when an entry is
    named, add its wrapper (the CPU hooks are merged by gasync-link-cpu-runtime,
    inside the pipeline). Raises CompileError after reporting."""
    fn = find_entry(module, entry, diags) if entry else None
    drop_device_code(module)
    if fn is not None:
        add_entry_wrapper(module, fn, diags)


def execute(module: ir.Module, arg_texts: list[str], opt_level: int = 2) -> list[str]:
    """JIT the lowered module and run its entry wrapper with `arg_texts` (the
    `--arg` spellings); the output lines. Raises UsageError (a module without
    a wrapper, bad arguments) or ExecutorFault."""
    from mlir.execution_engine import ExecutionEngine
    from mlir.runtime import get_ranked_memref_descriptor

    from gasync.runtime.errors import UsageError

    wrapper = next((op.operation for op in module.body.operations
                    if op.operation.name == "llvm.func"
                    and ir.StringAttr(op.operation.attributes["sym_name"]).value == ENTRY_WRAPPER
                    and ENTRY_TYPE_ATTR in op.operation.attributes), None)
    if wrapper is None:
        raise UsageError("the module has no entry to run: compile it with --entry NAME")
    arg_types, result_types = entry_types(
        ir.FunctionType(ir.TypeAttr(wrapper.attributes[ENTRY_TYPE_ATTR]).value))
    values, _ = parse_args(arg_types, arg_texts)
    status = (ctypes.c_int32 * abi.STATUS_WORDS)()
    results = [np.zeros((), s.dtype) for s in result_types]
    arrays = [np.ascontiguousarray(v) if s.is_memref else np.array(v, dtype=s.dtype)
              for v, s in zip(values, arg_types)]
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
    engine = ExecutionEngine(module, opt_level=opt_level)
    engine.invoke(ENTRY_WRAPPER, *packed)
    check_status(list(status), read_sites(module.operation))
    return format_outputs([r[()] for r in results], result_types, arrays, arg_types)
