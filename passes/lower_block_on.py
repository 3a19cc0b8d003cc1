"""gasync-lower-block-on: `block_on` outside async code becomes a poll loop,
or an executor run when the future spawns tasks.

Without tasks, the future's frame is an `llvm.alloca` in the entry block of
the enclosing function (so a block_on in a loop reuses one frame rather than
growing the stack); the future's creation becomes the call to its `init`,
and the block_on an `scf.while` that polls until ready, then reads the result
slot. The loop counts the polls that found the future pending (a register):
after `watchdog` of them it stops with the watchdog fault, naming the
block_on. After inlining, a future that is always ready folds to
straight-line code, counter and all.

With tasks (the future's function is marked `gasync.uses_executor`), the
alloca holds an executor (runtime/executor.mlir, laid out as runtime/abi.py
says): a header, `pool` task slots (the `pool` attribute of block_on,
default 16) plus the root's, and their frames; the root future is
initialised in slot 0 and `gasync_rt_run` runs until it is done or a fault
stops it (pool overflow, the watchdog's poll budget `watchdog`, a deadlock:
naming the block_on, a site of the program's site table, passes/site_table.py).
An executor lives on the stack (local memory on the GPU), or in shared memory
at block scope on the GPU; the executors one function keeps on its stack
must fit abi.MAX_STACK_BYTES for the target (a compile error at the
block_on otherwise: a bigger alloca would overflow the stack at run time).

Each executor then gets its own copy of the runtime functions and of the
task code that read its parameters (`name$execN`; the first executor of a
symbol table keeps the originals), in which the parameters are constants:
every branch on them folds and the run loop has one caller, however many
kernels share a gpu.module. A register executor (thread or warp scope, at
most abi.PACKED_SLOTS slots: runtime/abi.py's Header.PACKED) also has its
frame accesses at runtime slots turned into switches on the slot
(passes/static_slots.py), and on the GPU its copies are `alwaysinline`, so
that LLVM keeps the whole executor in registers.

Run after `gasync-coro-lower`, which gives every async function its frame
layout and task kind.
"""

from __future__ import annotations

import dataclasses

from mlir import ir
from mlir.dialects import arith, func, llvm, scf

from gasync.dialect.catalogue import CALLEE
from gasync.dialect.ir_utils import SymbolIndex, flat_symbol, symbol_name, walk
from gasync.runtime import abi

from . import executor
from . import frame as fr
from . import static_slots
from .base import ModulePass, PassContext, register
from .outline_async_blocks import nearest_symbol_table
from .site_table import SiteTable, source_function

POOL_ATTR = "pool"
SCOPE_ATTR = "scope"


def specialise_params(table_op: ir.Operation, params: tuple[tuple[abi.Header, int], ...],
                      name: str = executor.PARAM) -> None:
    """The executors that call `name` (the runtime's `gasync_rt_param`, or a
    copy of it) have these parameters (header field, value): make it return
    them as constants."""
    table = ir.SymbolTable(table_op)
    if name not in table:
        return
    old = table[name].operation
    lines = ["func.func private @\"%s\"(%%exec: !llvm.ptr, %%field: i32) -> i32 {" % name,
             "  %v0 = func.call @gasync_rt_get(%exec, %field) : (!llvm.ptr, i32) -> i32"]
    for i, (field, value) in enumerate(params):
        lines += [f"  %f{i} = arith.constant {int(field)} : i32",
                  f"  %c{i} = arith.constant {value} : i32",
                  f"  %e{i} = arith.cmpi eq, %field, %f{i} : i32",
                  f"  %v{i + 1} = arith.select %e{i}, %c{i}, %v{i} : i32"]
    lines += [f"  return %v{len(params)} : i32", "}",
              # for the parser only: the library's own definition is used
              "func.func private @gasync_rt_get(!llvm.ptr, i32) -> i32"]
    parsed = ir.Module.parse("\n".join(lines), table_op.context)
    new = parsed.body.operations[0].operation.clone()
    ir.InsertionPoint(old).insert(new)
    old.erase()


def callees(fn: ir.Operation) -> list[str]:
    return [flat_symbol(op.attributes["callee"]) for op in walk(fn) if op.name == "func.call"]


def parameter_readers(table_op: ir.Operation, roots: list[str]) -> list[str]:
    """The functions of `table_op` reachable from `roots` through calls that
    reach the runtime's parameter read (so differ between executors of
    different parameters), in a stable order."""
    table = ir.SymbolTable(table_op)
    defined = {}
    order, stack = [], list(roots)
    while stack:  # every function reachable from the roots, with a body
        name = stack.pop()
        if name in defined or name not in table:
            continue
        fn = table[name].operation
        if not len(fn.regions[0].blocks):
            continue
        defined[name] = callees(fn)
        order.append(name)
        stack.extend(defined[name])
    readers = {executor.PARAM} & set(defined)
    changed = True
    while changed:  # the call graph is acyclic (the verifier rejects cycles): a fixpoint
        changed = False
        for name, called in defined.items():
            if name not in readers and readers.intersection(called):
                readers.add(name)
                changed = True
    return [name for name in order if name in readers]


def specialise_executors(table_op: ir.Operation, groups: list) -> None:
    """Give each executor of `table_op` its own copy of the runtime and of the
    task code it runs, specialised to its parameters (pool, scope, budget,
    layout...): every branch on them folds, its run loop has one caller and
    inlines into its kernel, and a register executor's block is never
    addressed at a runtime offset, so LLVM promotes it to registers. The
    first executor keeps the originals."""
    table = ir.SymbolTable(table_op)
    for n, (params, calls) in enumerate(groups):
        roots = sorted({flat_symbol(c.attributes["callee"]) for c in calls})
        readers = parameter_readers(table_op, roots)
        if n == 0:
            renamed = {name: name for name in readers}
        else:
            renamed = {name: f"{name}$exec{n}" for name in readers}
            for name in readers:
                original = table[name].operation
                copy = original.clone(ir.InsertionPoint.after(original))
                copy.attributes["sym_name"] = ir.StringAttr.get(renamed[name])
                for op in walk(copy):
                    if op.name == "func.call" and flat_symbol(op.attributes["callee"]) in renamed:
                        op.attributes["callee"] = ir.FlatSymbolRefAttr.get(
                            renamed[flat_symbol(op.attributes["callee"])])
            for call in calls:
                name = flat_symbol(call.attributes["callee"])
                if name in renamed:
                    call.attributes["callee"] = ir.FlatSymbolRefAttr.get(renamed[name])
        groups[n] = (params, calls, renamed)
    # After every copy is made (the first executor's are the originals, copied
    # by the others).
    for params, calls, renamed in groups:
        if executor.PARAM in renamed:
            specialise_params(table_op, params, renamed[executor.PARAM])
        if dict(params)[abi.Header.PACKED]:
            static_frames(table_op, dict(params)[abi.Header.POOL], dict(params)[abi.Header.STRIDE],
                          calls, renamed)


def static_frames(table_op: ir.Operation, pool: int, stride: int, calls: list,
                  renamed: dict[str, str]) -> None:
    """A register executor's frame accesses at constant slots (passes/static_slots.py)."""
    original = {copy: name for name, copy in renamed.items()}
    slot_frame = renamed.get(executor.SLOT_FRAME, executor.SLOT_FRAME)
    kinds = executor.task_kinds(table_op)
    run = next(c for c in calls if original.get(flat_symbol(c.attributes["callee"]))
               == executor.RUN)
    root_kind = static_slots.constant_of(run.operands[1])

    def poll_of(kind: int) -> str:
        name = fr.poll_name(kinds[kind])
        return renamed.get(name, name)

    spawned = static_slots.spawned_kinds(table_op, poll_of(root_kind), poll_of,
                                         lambda name: original.get(name, name))
    if spawned is None:  # a kind the compiler cannot see: any but the root's
        spawned = set(range(len(kinds))) - {root_kind}
    task_polls = {kind: poll_of(kind) for kind in spawned} or {root_kind: poll_of(root_kind)}
    static_slots.write_poll_slot(table_op, renamed[static_slots.POLL_SLOT], pool, stride, slot_frame,
                                 poll_of(root_kind), task_polls)
    table = ir.SymbolTable(table_op)  # after write_poll_slot replaced a function
    if len(task_polls) == 1 and static_slots.SLOT_GET in renamed:
        static_slots.static_kinds(table[renamed[static_slots.SLOT_GET]].operation, root_kind,
                                  next(iter(task_polls)))
    for name in renamed.values():
        if name not in (slot_frame, renamed[static_slots.POLL_SLOT]):
            static_slots.switch_frame_uses(table[name].operation, slot_frame, pool, stride)
        if table_op.name == "gpu.module":
            # Registers matter on the GPU; on the CPU LLVM's own inliner
            # decides (forcing it makes a pool's slots x the task kinds'
            # polls, and JIT compile times, grow).
            table[name].operation.attributes["passthrough"] = ir.ArrayAttr.get(
                [ir.StringAttr.get("alwaysinline")])


def shared_buffer(gpu_module: ir.Operation, size: int, loc: ir.Location,
                  ip: ir.InsertionPoint) -> ir.Value:
    """A new `size`-byte shared-memory global of `gpu_module`, as a generic pointer."""
    table = ir.SymbolTable(gpu_module)
    n = 0
    while f"gasync_executor_{n}" in table:
        n += 1
    name = f"gasync_executor_{n}"
    text = (f"llvm.mlir.global internal @{name}() {{addr_space = 3 : i32, alignment = 16 : i64}}"
            f" : !llvm.array<{size} x i8>")
    parsed = ir.Module.parse(text, gpu_module.context)
    glob = parsed.body.operations[0].operation.clone()
    ir.InsertionPoint.at_block_begin(gpu_module.regions[0].blocks[0]).insert(glob)
    shared = llvm.AddressOfOp(llvm.PointerType.get(3), name, loc=loc, ip=ip).result
    return llvm.AddrSpaceCastOp(fr.ptr(), shared, loc=loc, ip=ip).result


@dataclasses.dataclass
class Executors:
    """What the executors lowered so far in a module add up to."""

    groups: dict[str, tuple[ir.Operation, list]] = dataclasses.field(default_factory=dict)
    """Per symbol table (by name): the table and its executors, each as its
    parameters (header field, value) and the runtime calls its block_on
    lowered to."""
    stack_bytes: dict[ir.Operation, int] = dataclasses.field(default_factory=dict)
    """Per function: the bytes of the executors on its stack."""


def same_symbol_table(a: ir.Operation, b: ir.Operation) -> bool:
    return (symbol_name(nearest_symbol_table(a)) or "") == (symbol_name(nearest_symbol_table(b)) or "")


def enclosing_function(op: ir.Operation) -> ir.Operation:
    parent = op.parent
    while parent is not None and parent.name not in ("func.func", "gpu.func", "llvm.func"):
        parent = parent.parent
    return parent


@register
@dataclasses.dataclass(frozen=True)
class LowerBlockOnPass(ModulePass):
    name = "gasync-lower-block-on"
    summary = "lower gasync.block_on to a poll loop over a frame on the stack, or an executor run"
    watchdog: int = dataclasses.field(default=abi.DEFAULT_WATCHDOG,
                                      metadata={"range": (0, abi.MAX_WATCHDOG)})
    """Polls a block_on may make (an executor's, or a poll loop's that find the
    future pending) before it stops with a fault (0: no limit)."""

    def apply(self, module: ir.Operation, ctx: PassContext) -> None:
        # Exclusive branches may each block_on the same future: one frame,
        # initialised where the future is created, polled by each.
        groups: dict[ir.Value, list[ir.Operation]] = {}
        for op in walk(module):
            if op.name == "gasync.block_on":
                groups.setdefault(op.operands[0], []).append(op)
        executors = Executors()
        sites = SiteTable(module, ctx.diags.source_name)
        symbols = SymbolIndex()
        for future, block_ons in groups.items():
            self.lower(future, block_ons, ctx, executors, sites, symbols)
        sites.write()
        for table_op, groups in executors.groups.values():
            specialise_executors(table_op, groups)
        # A future that nothing consumes runs nothing (the verifier warned).
        for op in [op for op in walk(module) if op.name == "gasync.future"]:
            if not any(True for _ in op.results[0].uses):
                op.erase()

    def lower(self, future: ir.Value, block_ons: list[ir.Operation], ctx: PassContext,
              executors: Executors, sites: SiteTable, symbols: SymbolIndex) -> None:
        first_use = block_ons[0]
        loc = first_use.location
        creation = future.owner
        creation = creation.operation if hasattr(creation, "operation") else creation
        if not isinstance(creation, ir.Operation) or creation.name != "gasync.future":
            ctx.diags.error(loc, "gasync.block_on of a value that is not a gasync.future is not "
                                 "supported")
            return
        if CALLEE not in creation.attributes:
            ctx.diags.error(loc, "gasync.block_on of an async block: run "
                                 "gasync-outline-async-blocks and gasync-coro-lower before "
                                 "gasync-lower-block-on (gasync-coro does)")
            return
        callee = flat_symbol(creation.attributes[CALLEE])
        init_n, poll_n = fr.init_name(callee), fr.poll_name(callee)
        init = symbols.lookup(creation, init_n)
        if init is not None and not same_symbol_table(init, first_use):
            ctx.diags.error(loc, f"'@{callee}' is defined outside the gpu.module that runs it: "
                                 "run gasync-clone-into-gpu-modules first (the GPU pipelines do)")
            return
        if init is None or fr.FRAME_ATTR not in init.attributes:
            ctx.diags.error(loc, f"'@{callee}' has no lowered frame ('@{init_n}'): run "
                                 "gasync-coro-lower before gasync-lower-block-on")
            return
        layout = fr.FrameLayout.from_attribute(init.attributes[fr.FRAME_ATTR])
        if executor.USES_EXECUTOR in init.attributes:
            self.lower_with_executor(block_ons, creation, callee, init, layout, ctx,
                                     executors, sites)
            return
        function = enclosing_function(first_use)
        entry = function.regions[0].blocks[0]
        first = list(entry.operations)[0].operation
        frame = fr.frame_alloca(layout, loc=loc, ip=ir.InsertionPoint(first))
        with creation.location, ir.InsertionPoint(creation):
            func.CallOp([], ir.FlatSymbolRefAttr.get(init_n), [frame] + list(creation.operands))
        for op in block_ons:
            site = self.block_on_site(op, callee, sites)
            with op.location, ir.InsertionPoint(op):
                self.poll_loop(poll_n, frame, site, nearest_symbol_table(op))
                if len(op.results):
                    value = fr.load(op.results[0].type, frame, layout.result_offset,
                                    loc=op.location, ip=None)
                    op.results[0].replace_all_uses_with(value)
            op.erase()
            ctx.stat(self.name, "block_on lowered", 1)
        creation.erase()

    @staticmethod
    def block_on_site(op: ir.Operation, callee: str, sites: SiteTable) -> int:
        return sites.add(f"the block_on of '@{callee}'", source_function(op), op.location)

    def poll_loop(self, poll_n: str, frame: ir.Value, site: int, table_op: ir.Operation) -> None:
        """Poll until ready; with a watchdog, stop with its fault after
        `watchdog` polls that found the future pending."""
        if self.watchdog:
            executor.declare_fault_hook(table_op)
        counter = [fr.i32()] if self.watchdog else []
        start = [arith.constant(fr.i32(), 0)] if self.watchdog else []
        loop = scf.WhileOp(counter, start)
        before = loop.before.blocks.append(*counter)
        with ir.InsertionPoint(before):
            no_executor = llvm.ZeroOp(fr.ptr()).result
            ready = func.CallOp([fr.i1()], ir.FlatSymbolRefAttr.get(poll_n),
                                [frame, no_executor]).result
            true = arith.constant(fr.i1(), 1)
            pending = arith.xori(ready, true)
            if not self.watchdog:
                scf.ConditionOp(pending, [])
            else:
                polls = arith.addi(before.arguments[0], arith.constant(fr.i32(), 1))
                spent = arith.cmpi(arith.CmpIPredicate.uge, polls,
                                   arith.constant(fr.i32(), self.watchdog))
                stuck = llvm.intr_expect(arith.andi(pending, spent),
                                         arith.constant(fr.i1(), 0))
                if_stuck = scf.IfOp(stuck)
                with ir.InsertionPoint(if_stuck.then_block):
                    executor.report_fault(abi.Fault.WATCHDOG, site)
                    scf.YieldOp([])
                scf.ConditionOp(arith.andi(pending, arith.xori(spent, true)), [polls])
        after = loop.after.blocks.append(*counter)
        with ir.InsertionPoint(after):
            scf.YieldOp(list(after.arguments))

    @staticmethod
    def executor_options(op: ir.Operation) -> tuple[str, int]:
        scope = ir.StringAttr(op.attributes[SCOPE_ATTR]).value \
            if SCOPE_ATTR in op.attributes else "thread"
        tasks = ir.IntegerAttr(op.attributes[POOL_ATTR]).value \
            if POOL_ATTR in op.attributes else abi.DEFAULT_POOL
        return scope, tasks

    def lower_with_executor(self, block_ons: list[ir.Operation], creation, callee: str,
                            init: ir.Operation, layout: fr.FrameLayout, ctx: PassContext,
                            executors: Executors, sites: SiteTable) -> None:
        loc = block_ons[0].location
        scope, tasks = self.executor_options(block_ons[0])
        for other in block_ons[1:]:
            if self.executor_options(other) != (scope, tasks):
                ctx.diags.error(other.location, "every gasync.block_on of one future must ask "
                                                "for the same executor (pool and scope)")
                return
        if scope not in abi.SCOPES:
            ctx.diags.error(loc, f"gasync.block_on scope '{scope}' is not supported yet: only "
                                 + " and ".join(f"'{s}'" for s in abi.SCOPES))
            return
        pool = tasks + 1  # the root runs in slot 0
        table_op = nearest_symbol_table(init)
        stride = executor.slot_stride(table_op)
        kind = executor.task_kind(table_op, callee)
        function = enclosing_function(block_ons[0])
        entry = function.regions[0].blocks[0]
        first = list(entry.operations)[0].operation
        packed = abi.packed(pool, scope, len(executor.task_kinds(table_op)))
        size = abi.executor_bytes(pool, stride, scope, len(executor.task_kinds(table_op)))
        on_device = table_op.name == "gpu.module"
        if scope == "block" and on_device:
            if size > abi.MAX_SHARED_BYTES:
                ctx.diags.error(loc, f"this block-scope executor needs {size} bytes of shared "
                                     f"memory ({pool} slots x {abi.WARP_LANES} lanes x "
                                     f"{stride}-byte frames), more than {abi.MAX_SHARED_BYTES}: "
                                     "lower its pool")
                return
        else:
            target = "gpu" if on_device else "cpu"
            on_stack = executors.stack_bytes.get(function, 0) + size
            if on_stack > abi.MAX_STACK_BYTES[target]:
                others = (f" (with the function's other executors, {on_stack})"
                          if on_stack != size else "")
                ctx.diags.error(loc, f"this executor needs {size} bytes of stack ({pool} slots "
                                     f"of {stride}-byte frames){others}, more than the "
                                     f"{abi.MAX_STACK_BYTES[target]} that executors may take "
                                     f"on the {target.upper()}: lower its pool")
                return
            executors.stack_bytes[function] = on_stack
        params = {abi.Header.POOL: pool, abi.Header.STRIDE: stride,
                  abi.Header.FRAMES: abi.frames_offset(pool, packed), abi.Header.BUDGET: self.watchdog,
                  abi.Header.SCOPE: abi.SCOPES[scope], abi.Header.MASK: abi.queue_entries(pool) - 1,
                  abi.Header.PACKED: int(packed)}
        calls = []

        def i32(v):
            return arith.constant(fr.i32(), int(v))

        def call(name, args, results=()):
            op = func.CallOp(list(results), ir.FlatSymbolRefAttr.get(name), args)
            if name.startswith("gasync_rt_"):
                calls.append(op.operation)
            return op

        with loc:
            if scope == "block" and on_device:
                # One executor per thread block, in shared memory.
                exec_ptr = shared_buffer(table_op, size, loc, ir.InsertionPoint(first))
            else:
                exec_ptr = fr.frame_alloca(fr.FrameLayout(size=size, align=abi.FRAME_ALIGN),
                                           loc=loc, ip=ir.InsertionPoint(first))
            with ir.InsertionPoint(creation):
                init_args = [exec_ptr] + [i32(params[field]) for field in abi.PARAMS]
                if scope == "block":
                    # The leader sets the executor up; warp 0's lanes (each with
                    # its own arguments) the root's frames.
                    lead = call(executor.IS_LEADER, [], [fr.i1()]).result
                    if_lead = scf.IfOp(lead)
                    with ir.InsertionPoint(if_lead.then_block):
                        call(executor.EXEC_INIT, init_args)
                        scf.YieldOp([])
                    call(executor.BARRIER, [i32(abi.Scope.BLOCK)])
                    root_warp = call(executor.IS_ROOT_WARP, [], [fr.i1()]).result
                    if_root = scf.IfOp(root_warp)
                    with ir.InsertionPoint(if_root.then_block):
                        root = call(executor.SLOT_FRAME, [exec_ptr, i32(0)], [fr.ptr()]).result
                        call(fr.init_name(callee), [root] + list(creation.operands))
                        scf.YieldOp([])
                    call(executor.BARRIER, [i32(abi.Scope.BLOCK)])
                else:
                    call(executor.EXEC_INIT, init_args)
                    root = call(executor.SLOT_FRAME, [exec_ptr, i32(0)], [fr.ptr()]).result
                    call(fr.init_name(callee), [root] + list(creation.operands))
        run = executor.RUN_BLOCK if scope == "block" else executor.RUN
        for op in block_ons:
            site = self.block_on_site(op, callee, sites)
            with op.location, ir.InsertionPoint(op):
                call(run, [exec_ptr, i32(kind), i32(site)])
                if len(op.results):
                    root = call(executor.SLOT_FRAME, [exec_ptr, i32(0)], [fr.ptr()]).result
                    value = fr.load(op.results[0].type, root, layout.result_offset,
                                    loc=op.location, ip=None)
                    op.results[0].replace_all_uses_with(value)
            op.erase()
        creation.erase()
        key = symbol_name(table_op) or ""
        executors.groups.setdefault(key, (table_op, []))[1].append(
            (tuple(sorted(params.items())), calls))
        ctx.stat(self.name, "executors", 1)
