"""The task executor's compile-time side: the dispatch switch over task kinds,
merging the runtime library (runtime/executor.mlir) into a symbol table, and
the executor's memory layout (which the runtime's header describes).

Used by `gasync-coro-lower` (spawn, join, dispatch) and
`gasync-lower-block-on` (an executor where block_on runs).
"""

from __future__ import annotations

from importlib import resources

from mlir import ir
from mlir.dialects import arith, cf, func

from . import frame as fr

USES_EXECUTOR = "gasync.uses_executor"
"""On an async function (and its init/poll) that spawns or joins tasks, itself or
through the futures it awaits: a block_on of it runs an executor."""
TASK_KINDS = "gasync.task_kinds"
"""On the generated dispatch function: the task kinds' names, in kind order."""
SLOT_STRIDE = "gasync.slot_stride"
"""On the generated dispatch function: the bytes of one task frame slot."""

DISPATCH = "gasync_rt_dispatch"
FAULT = "gasync_rt_fault"
SPAWN = "gasync_rt_spawn"
JOIN = "gasync_rt_join"
RELEASE = "gasync_rt_release"
SLOT_FRAME = "gasync_rt_slot_frame"
EXEC_INIT = "gasync_rt_exec_init"
RUN = "gasync_rt_run"
AWAIT_READY = "gasync_rt_await_ready"
PARAM = "gasync_rt_param"
SCOPES = {"thread": 0, "warp": 1, "block": 2}
"""Executor scopes, as the runtime numbers them."""
RUN_BLOCK = "gasync_rt_run_block"
IS_LEADER = "gasync_rt_is_leader"
IS_ROOT_WARP = "gasync_rt_is_root_warp"
BARRIER = "gasync_rt_barrier"
WARP_LANES = 32
MAX_SHARED_BYTES = 48 * 1024
"""Static shared memory a block-scope executor may take."""

HEADER_BYTES = 640
"""The header (64 bytes) and 32 warp records (at 128, 16 bytes each)."""
SLOT_BYTES = 16
QUEUE_ENTRY_BYTES = 4
DEFAULT_POOL = 16
"""Task slots of an executor when block_on has no `pool` attribute (the root task
is not counted)."""
DEFAULT_WATCHDOG = 100_000_000
"""Polls an executor may make before it stops with a watchdog fault."""

def queue_entries(pool: int) -> int:
    """The run queue's ring: a power of two (indices are masks), at least pool."""
    return 1 << (pool - 1).bit_length()


def frames_offset(pool: int) -> int:
    return fr.align_up(HEADER_BYTES + pool * SLOT_BYTES + queue_entries(pool) * QUEUE_ENTRY_BYTES,
                       16)


def executor_bytes(pool: int, stride: int, scope: str = "thread") -> int:
    lanes = WARP_LANES if scope == "block" else 1  # a frame per lane at block scope
    return frames_offset(pool) + pool * lanes * stride


def library_text() -> str:
    return resources.files("gasync.runtime").joinpath("executor.mlir").read_text()


def add_executor(table_op: ir.Operation, kinds: dict[str, int]) -> None:
    """Give the symbol table `table_op` the dispatch over `kinds` (name -> kind)
    and the runtime library's functions (those it does not define itself)."""
    body = table_op.regions[0].blocks[0]
    table = ir.SymbolTable(table_op)
    library = ir.Module.parse(library_text(), table_op.context)
    ip = ir.InsertionPoint(body)
    for op in library.body.operations:
        op = op.operation
        name = ir.StringAttr(op.attributes["sym_name"]).value
        if name == DISPATCH or name in table:
            continue
        ip.insert(op.clone())
    names = sorted(kinds, key=kinds.get)
    stride = 16
    for name in names:
        init = table[fr.init_name(name)].operation
        layout = fr.FrameLayout.from_attribute(init.attributes[fr.FRAME_ATTR])
        stride = max(stride, fr.align_up(layout.size, 16))
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
                        [arith.constant(fr.i32(), 3), kind])
            func.ReturnOp([arith.constant(fr.i1(), 1)])
        with ir.InsertionPoint(entry):
            cf.switch(kind, [], [], ir.DenseI32ArrayAttr.get([0] * len(cases)), broken, cases,
                      case_values=ir.Attribute.parse(
                          f"dense<[{', '.join(str(i) for i in range(len(cases)))}]> : "
                          f"vector<{len(cases)}xi32>"))


def slot_stride(table_op: ir.Operation) -> int:
    table = ir.SymbolTable(table_op)
    dispatch = table[DISPATCH].operation
    return ir.IntegerAttr(dispatch.attributes[SLOT_STRIDE]).value


def task_kind(table_op: ir.Operation, name: str) -> int:
    table = ir.SymbolTable(table_op)
    kinds = [ir.StringAttr(a).value
             for a in ir.ArrayAttr(table[DISPATCH].operation.attributes[TASK_KINDS])]
    return kinds.index(name)
