"""The task executor's compile-time side: the dispatch switch over task kinds,
and merging the runtime library (runtime/executor.mlir) into a symbol table.
The executor's layout, scopes, fault codes and defaults are runtime/abi.py's.

Used by `gasync-coro-lower` (spawn, join, dispatch) and
`gasync-lower-block-on` (an executor where block_on runs).
"""

from __future__ import annotations

from mlir import ir
from mlir.dialects import arith, cf, func

from gasync.runtime import abi

from . import frame as fr
from .runtime_library import RuntimeLibrary, link

USES_EXECUTOR = "gasync.uses_executor"
"""On an async function (and its init/poll) that spawns or joins tasks, itself or
through the futures it awaits: a block_on of it runs an executor."""
TASK_KINDS = "gasync.task_kinds"
"""On the generated dispatch function: the task kinds' names, in kind order."""
SLOT_STRIDE = "gasync.slot_stride"
"""On the generated dispatch function: the bytes of one task frame slot."""

EXECUTOR_RUNTIME = RuntimeLibrary(("executor.mlir",))

DISPATCH = "gasync_rt_dispatch"
FAULT = "gasync_rt_fault"
SPAWN = "gasync_rt_spawn"
SPAWN_AT = "gasync_rt_spawn_at"
JOIN = "gasync_rt_join"
RELEASE = "gasync_rt_release"
SLOT_FRAME = "gasync_rt_slot_frame"
EXEC_INIT = "gasync_rt_exec_init"
RUN = "gasync_rt_run"
AWAIT_READY = "gasync_rt_await_ready"
AWAIT_READY_AT = "gasync_rt_await_ready_at"
TASK_SITE = "gasync_rt_task_site"
PARAM = "gasync_rt_param"
RUN_BLOCK = "gasync_rt_run_block"
IS_LEADER = "gasync_rt_is_leader"
IS_ROOT_WARP = "gasync_rt_is_root_warp"
BARRIER = "gasync_rt_barrier"


def add_executor(table_op: ir.Operation, kinds: dict[str, int]) -> None:
    """Give the symbol table `table_op` the dispatch over `kinds` (name -> kind)
    and the runtime library's functions (those it does not define itself)."""
    body = table_op.regions[0].blocks[0]
    table = ir.SymbolTable(table_op)
    ip = ir.InsertionPoint(body)
    names = sorted(kinds, key=kinds.get)
    stride = abi.FRAME_ALIGN
    for name in names:
        init = table[fr.init_name(name)].operation
        layout = fr.FrameLayout.from_attribute(init.attributes[fr.FRAME_ATTR])
        stride = max(stride, fr.align_up(layout.size, abi.FRAME_ALIGN))
    loc = table_op.location
    with loc:
        dispatch = func.FuncOp(DISPATCH, ir.FunctionType.get(
            [fr.i32(), fr.ptr(), fr.ptr()], [fr.i1()]), visibility="private", ip=ip)
        dispatch.operation.attributes[TASK_KINDS] = ir.ArrayAttr.get(
            [ir.StringAttr.get(n) for n in names])
        dispatch.operation.attributes[SLOT_STRIDE] = ir.IntegerAttr.get(fr.i64(), stride)
        entry = dispatch.add_entry_block()
        kind, frame, executor = entry.arguments
        cases = []
        for name in names:
            block = entry.create_after()
            with ir.InsertionPoint(block):
                ready = func.CallOp([fr.i1()], ir.FlatSymbolRefAttr.get(fr.poll_name(name)),
                                    [frame, executor]).result
                func.ReturnOp([ready])
            cases.append(block)
        # An unknown kind cannot happen: report it rather than run garbage.
        broken = entry.create_after()
        with ir.InsertionPoint(broken):
            func.CallOp([], ir.FlatSymbolRefAttr.get(FAULT),
                        [arith.constant(fr.i32(), int(abi.Fault.INVARIANT)), kind])
            func.ReturnOp([arith.constant(fr.i1(), 1)])
        with ir.InsertionPoint(entry):
            cf.switch(kind, [], [], ir.DenseI32ArrayAttr.get([0] * len(cases)), broken, cases,
                      case_values=ir.Attribute.parse(
                          f"dense<[{', '.join(str(i) for i in range(len(cases)))}]> : "
                          f"vector<{len(cases)}xi32>"))
    # The dispatch is defined first, so the library's declaration of it is not linked.
    link(table_op, EXECUTOR_RUNTIME, EXECUTOR_RUNTIME.symbols())


def declare_fault_hook(table_op: ir.Operation) -> None:
    """Give `table_op` the declaration of the target's fault hook, which the
    target's runtime link defines, unless it has the hook already."""
    if FAULT not in ir.SymbolTable(table_op):
        with table_op.location, ir.InsertionPoint.at_block_begin(table_op.regions[0].blocks[0]):
            func.FuncOp(FAULT, ir.FunctionType.get([fr.i32(), fr.i32()], []),
                        visibility="private")


def report_fault(fault: abi.Fault, site: int) -> None:
    """Call the fault hook (declared by declare_fault_hook) with `fault` at
    `site`, a site of the program's site table (passes/site_table.py)."""
    func.CallOp([], ir.FlatSymbolRefAttr.get(FAULT),
                [arith.constant(fr.i32(), int(fault)), arith.constant(fr.i32(), site)])


def slot_stride(table_op: ir.Operation) -> int:
    table = ir.SymbolTable(table_op)
    dispatch = table[DISPATCH].operation
    return ir.IntegerAttr(dispatch.attributes[SLOT_STRIDE]).value


def task_kinds(table_op: ir.Operation) -> list[str]:
    """The task kinds' names of a symbol table with an executor, in kind order."""
    table = ir.SymbolTable(table_op)
    return [ir.StringAttr(a).value
            for a in ir.ArrayAttr(table[DISPATCH].operation.attributes[TASK_KINDS])]


def task_kind(table_op: ir.Operation, name: str) -> int:
    return task_kinds(table_op).index(name)
