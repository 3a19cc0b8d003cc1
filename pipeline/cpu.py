"""Running a gasync program on the CPU through MLIR's ExecutionEngine.

The entry (a `func.func`, not async) is called through a generated wrapper,
`_gasync_entry(%result_ptrs..., %args...)` with `llvm.emit_c_interface`, that
stores each result through a pointer: the packed calling convention of the
ExecutionEngine then takes every argument and result as a pointer, whatever
the number of results and their types.
"""

from __future__ import annotations

import ctypes
import dataclasses

import numpy as np
from mlir import ir
from mlir.dialects import func, llvm

from gasync.dialect.context import prepare_context
from gasync.dialect.diagnostics import CompileError, DiagnosticEngine
from gasync.dialect.catalogue import ASYNC_ATTR
from gasync.passes import PassContext
from gasync.passes import frame as fr
from gasync.runtime import abi
from gasync.runtime.faults import check_status
from gasync.runtime.args import ArgError, TypeSpec, format_outputs, parse_arg, parse_type

from .manager import run_pipeline

ENTRY_WRAPPER = "_gasync_entry"
CPU_PIPELINE = "gasync-to-llvm"

_CTYPES = {
    "i1": ctypes.c_bool, "i8": ctypes.c_int8, "i16": ctypes.c_int16, "i32": ctypes.c_int32,
    "i64": ctypes.c_int64, "index": ctypes.c_int64, "f32": ctypes.c_float,
    "f64": ctypes.c_double,
}


@dataclasses.dataclass
class EntrySignature:
    args: list[TypeSpec]
    results: list[TypeSpec]


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


def entry_signature(fn: ir.Operation, diags: DiagnosticEngine) -> EntrySignature:
    ftype = ir.FunctionType(ir.TypeAttr(fn.attributes["function_type"]).value)
    try:
        args = [parse_type(str(t)) for t in ftype.inputs]
        results = [parse_type(str(t)) for t in ftype.results]
    except ArgError as e:
        diags.error(fn.location, f"entry '@{ir.StringAttr(fn.attributes['sym_name']).value}' "
                                 f"cannot be run: {e}")
        raise CompileError() from None
    for spec in results:
        if spec.is_memref or spec.element not in _CTYPES:
            diags.error(fn.location, f"entry result of type {spec} is not supported by gasync-run "
                                     "(scalar results only; return memrefs through arguments)")
            raise CompileError()
    for spec in args:
        if spec.element not in _CTYPES:
            diags.error(fn.location, f"entry argument of type {spec} is not supported on the CPU")
            raise CompileError()
    return EntrySignature(args, results)


def drop_device_code(module: ir.Module) -> None:
    """gpu.modules hold device code, which the CPU does not run (the GPU
    pipeline compiles it); their kernels may share the host's async functions,
    which stay."""
    for op in list(module.body.operations):
        if op.operation.name == "gpu.module":
            op.operation.erase()


def add_entry_wrapper(module: ir.Module, fn: ir.Operation) -> None:
    """`_gasync_entry(%status, %results..., %args...)`: calls the entry, stores
    its results, and copies the status record (runtime/abi.py; declared here,
    defined by gasync-link-cpu-runtime) to %status."""
    ftype = ir.FunctionType(ir.TypeAttr(fn.attributes["function_type"]).value)
    results = list(ftype.results)
    inputs = [fr.ptr()] * (1 + len(results)) + list(ftype.inputs)
    loc = fn.location
    record_type = ir.Type.parse(f"!llvm.array<{abi.STATUS_WORDS} x i32>")
    with loc, ir.InsertionPoint(module.body):
        llvm.GlobalOp(record_type, abi.STATUS_SYMBOL, ir.Attribute.parse("#llvm.linkage<external>"))
        wrapper = func.FuncOp(ENTRY_WRAPPER, ir.FunctionType.get(inputs, []))
        wrapper.operation.attributes["llvm.emit_c_interface"] = ir.UnitAttr.get()
        block = wrapper.add_entry_block()
        with ir.InsertionPoint(block):
            name = ir.StringAttr(fn.attributes["sym_name"]).value
            call = func.CallOp(results, ir.FlatSymbolRefAttr.get(name),
                               list(block.arguments)[1 + len(results):])
            for i, r in enumerate(call.results):
                fr.store(r, block.arguments[1 + i], 0, loc=loc, ip=None)
            record = llvm.AddressOfOp(fr.ptr(), abi.STATUS_SYMBOL).result
            llvm.store(llvm.load(record_type, record), block.arguments[0])
            func.ReturnOp([])


def compile_for_cpu(text: str, entry: str, diags: DiagnosticEngine, context: ir.Context,
                    watchdog: int | None = None) -> tuple[ir.Module, EntrySignature]:
    """Parse, lower with gasync-to-llvm; raises CompileError after reporting."""
    try:
        module = ir.Module.parse(text, context)
    except ir.MLIRError as e:
        diags.add_mlir_error(e)
        raise CompileError() from None
    fn = find_entry(module, entry, diags)
    signature = entry_signature(fn, diags)
    drop_device_code(module)
    add_entry_wrapper(module, fn)
    ctx = PassContext(diags)
    pipeline = CPU_PIPELINE + (f"{{watchdog={watchdog}}}" if watchdog is not None else "")
    if not run_pipeline(pipeline, module.operation, ctx):
        raise CompileError()
    return module, signature


def execute(module: ir.Module, signature: EntrySignature, arg_texts: list[str],
            opt_level: int = 2) -> list[str]:
    """Run the lowered module's entry; raises ArgError for bad arguments."""
    from mlir.execution_engine import ExecutionEngine
    from mlir.runtime import get_ranked_memref_descriptor

    if len(arg_texts) != len(signature.args):
        raise ArgError(f"the entry takes {len(signature.args)} argument(s), "
                       f"{len(arg_texts)} given with --arg")
    values = [parse_arg(t, s, i) for i, (t, s) in enumerate(zip(arg_texts, signature.args))]
    keep = []  # ctypes objects must outlive the call
    status = (ctypes.c_int32 * abi.STATUS_WORDS)()
    status_ptr = ctypes.c_void_p(ctypes.addressof(status))
    packed = [ctypes.pointer(status_ptr)]
    result_buffers = [_CTYPES[s.element]() for s in signature.results]
    for buf in result_buffers:
        p = ctypes.c_void_p(ctypes.addressof(buf))
        keep.append(p)
        packed.append(ctypes.pointer(p))
    arrays = []
    for value, spec in zip(values, signature.args):
        if spec.is_memref:
            array = np.ascontiguousarray(value)
            arrays.append(array)
            desc = get_ranked_memref_descriptor(array)
            desc_ptr = ctypes.pointer(desc)
            keep += [desc, desc_ptr]
            packed.append(ctypes.pointer(desc_ptr))
        else:
            arrays.append(value)
            c = _CTYPES[spec.element](value.item())
            keep.append(c)
            packed.append(ctypes.pointer(c))
    engine = ExecutionEngine(module, opt_level=opt_level)
    engine.invoke(ENTRY_WRAPPER, *packed)
    check_status(list(status))
    results = [b.value for b in result_buffers]
    return format_outputs(results, signature.results, arrays, signature.args)


def run_text(text: str, entry: str, args: list[str], *, source_name: str = "<input>",
             diags: DiagnosticEngine | None = None, watchdog: int | None = None) -> list[str]:
    """Compile `text` for the CPU and run `entry` with `args` (command-line
    spellings); returns the output lines (`result N: V`, `arg N: [...]`).
    `watchdog` overrides the executors' poll budget. Raises CompileError
    (diagnostics already reported to `diags`), ArgError, or ExecutorFault."""
    context = prepare_context(ir.Context())
    diags = diags or DiagnosticEngine(source_name=source_name)
    handler = diags.capture(context)
    try:
        with context, ir.Location.unknown():
            module, signature = compile_for_cpu(text, entry, diags, context, watchdog)
            return execute(module, signature, args)
    finally:
        handler.detach()
