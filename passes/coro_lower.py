"""gasync-coro-lower: every async function becomes a frame, an init and a poll function.

For an async function `@f(A...) -> T` (after async blocks are outlined and
combinators lowered, so every future is the call form):

- `@f$init(%frame: !llvm.ptr, A...)` stores the arguments and sets state 0;
- `@f$poll(%frame: !llvm.ptr) -> i1` resumes at the saved state through a
  `cf.switch`, runs to the next pending suspension (saves the state, returns
  false) or to the end (stores the result, sets the state to -1, returns
  true);
- the frame is raw bytes: the state (i32 at offset 0), the result slot, the
  argument slots, a slot for every value live across a suspension point (and
  only those: liveness over the function's CFG after scf-to-cf), and the
  frames of awaited futures, which share storage when never alive at once.

Its layout is the `gasync.frame` attribute on both functions (size, align,
result_offset, states), read by callers and by `gasync-lower-block-on`.
Callees are lowered before callers (the verifier rejects cycles), so a
caller knows the size of every child frame it embeds.
"""

from __future__ import annotations

import dataclasses

from mlir import ir
from mlir.dialects import arith, cf, func
from mlir.passmanager import PassManager

from gasync.dialect import types as gt
from gasync.dialect.catalogue import ASYNC_ATTR, CALLEE
from gasync.dialect.ir_utils import flat_symbol, lookup_symbol, symbol_name, walk

from . import executor
from . import frame as fr
from .base import ModulePass, PassContext, register
from .liveness import Liveness
from .outline_async_blocks import nearest_symbol_table

SUSPENSION_OPS = ("gasync.await", "gasync.yield")
JOIN_RESULT_OFFSET = "gasync.join_result_offset"
"""Set on a task's await by its spawn's lowering: where the result is in the task's frame."""
# Ops with no operands and no regions that are cheaper to recompute than to
# save: they move to the poll function's entry and dominate every state.
CONSTANT_OPS = ("arith.constant", "llvm.mlir.constant", "llvm.mlir.zero", "llvm.mlir.addressof",
                "ub.poison")


class LoweringError(Exception):
    def __init__(self, loc: ir.Location, message: str):
        super().__init__(message)
        self.loc = loc


def async_functions(module: ir.Operation) -> list[ir.Operation]:
    return [op for op in walk(module) if op.name == "func.func" and ASYNC_ATTR in op.attributes]


def callee_of(op: ir.Operation) -> ir.Operation:
    callee = lookup_symbol(op, flat_symbol(op.attributes[CALLEE]))
    assert callee is not None, "the verifier checks callees"
    return callee


def frame_layout_of(fn: ir.Operation) -> fr.FrameLayout:
    return fr.FrameLayout.from_attribute(fn.attributes[fr.FRAME_ATTR])


def lowered_names(callee: ir.Operation) -> tuple[str, str]:
    name = ir.StringAttr(callee.attributes["sym_name"]).value
    return fr.init_name(name), fr.poll_name(name)


def split_before(op: ir.Operation) -> ir.Block:
    """Move `op` and everything after it in its block into a new block that
    follows; the old block branches to it."""
    block = op.block
    tail = block.create_after()
    moving = []
    found = False
    for other in block.operations:
        other = other.operation
        found = found or other == op
        if found:
            moving.append(other)
    for other in moving:
        other.detach_from_parent()
        tail.append(other)
    cf.br([], tail, loc=op.location, ip=ir.InsertionPoint(block))
    return tail


def future_callees(fn: ir.Operation) -> list[ir.Operation]:
    """The async functions `fn` creates futures of."""
    return [callee_of(op) for op in walk(fn)
            if op.name == "gasync.future" and CALLEE in op.attributes]


def topological_order(functions: list[ir.Operation]) -> list[ir.Operation]:
    """Callees first (the verifier has rejected cycles). Iterative: chains of
    thousands of async functions must not hit Python's recursion limit."""
    by_key = {function_key(fn): fn for fn in functions}

    def callees(fn: ir.Operation) -> list[tuple[str, str]]:
        return [function_key(c) for c in future_callees(fn) if ASYNC_ATTR in c.attributes]

    order, seen = [], set()
    for root in by_key:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(callees(by_key[root])))]
        while stack:
            key, pending = stack[-1]
            for callee in pending:
                if callee not in seen and callee in by_key:
                    seen.add(callee)
                    stack.append((callee, iter(callees(by_key[callee]))))
                    break
            else:
                stack.pop()
                order.append(by_key[key])
    return order


@register
@dataclasses.dataclass(frozen=True)
class CoroLowerPass(ModulePass):
    name = "gasync-coro-lower"
    summary = "lower each async function to a frame layout, an init and a poll function"

    def apply(self, module: ir.Operation, ctx: PassContext) -> None:
        functions = async_functions(module)
        kinds = TaskKinds()
        warp_scoped = warp_scoped_functions(module, functions)
        try:
            for fn in topological_order(functions):
                FunctionLowering(fn, ctx, self.name, kinds,
                                 scoped_awaits=function_key(fn) in warp_scoped).run()
            self.assign_root_kinds(module, kinds)
        except LoweringError as e:
            ctx.diags.error(e.loc, str(e))
            return
        for fn in functions:
            fn.erase()
        for table_op, table_kinds in kinds.tables():
            executor.add_executor(table_op, table_kinds)

    @staticmethod
    def assign_root_kinds(module: ir.Operation, kinds: "TaskKinds") -> None:
        """The future of a block_on that needs the executor runs as its root task."""
        for op in walk(module):
            if op.name != "gasync.block_on":
                continue
            creation = op.operands[0].owner
            creation = getattr(creation, "operation", creation)
            if isinstance(creation, ir.Operation) and creation.name == "gasync.future":
                callee = callee_of(creation)
                if executor.USES_EXECUTOR in callee.attributes:
                    kinds.kind_of(callee)


def function_key(fn: ir.Operation) -> tuple[str, str]:
    """An async function's name qualified by its symbol table (a gpu.module
    holds clones of top-level functions under the same names)."""
    return (symbol_name(nearest_symbol_table(fn)) or "",
            ir.StringAttr(fn.attributes["sym_name"]).value)


def warp_scoped_functions(module: ir.Operation, functions) -> set[tuple[str, str]]:
    """Async functions that may run in a warp- or block-scope executor: reachable
    through futures from the future of a `block_on {scope = "warp" | "block"}`
    that spawns tasks (their awaits vote across the warp)."""
    edges = {function_key(fn): future_callees(fn) for fn in functions}
    spawns = {function_key(fn) for fn in functions
              if any(op.name == "gasync.spawn" for op in walk(fn))}

    def reachable(roots: list[ir.Operation]) -> set[tuple[str, str]]:
        seen, work = set(), [function_key(r) for r in roots]
        while work:
            key = work.pop()
            if key in seen or key not in edges:
                continue
            seen.add(key)
            work.extend(function_key(c) for c in edges[key])
        return seen

    roots = []
    for op in walk(module):
        scope = op.attributes["scope"] if op.name == "gasync.block_on" and \
            "scope" in op.attributes else None
        if scope is None or ir.StringAttr(scope).value not in ("warp", "block"):
            continue
        creation = op.operands[0].owner
        creation = getattr(creation, "operation", creation)
        if isinstance(creation, ir.Operation) and creation.name == "gasync.future":
            root = callee_of(creation)
            if reachable([root]) & spawns:
                roots.append(root)
    return reachable(roots)


class TaskKinds:
    """Task kinds per symbol table: one per async function that runs as a task
    (spawned, or the root of an executor), numbered from 0."""

    def __init__(self):
        self._tables: dict[str, tuple[ir.Operation, dict[str, int]]] = {}

    def kind_of(self, callee: ir.Operation) -> int:
        table_op = nearest_symbol_table(callee)
        key = symbol_name(table_op) or ""
        _, kinds = self._tables.setdefault(key, (table_op, {}))
        name = ir.StringAttr(callee.attributes["sym_name"]).value
        if name not in kinds:
            kinds[name] = len(kinds)
        return kinds[name]

    def tables(self):
        return list(self._tables.values())


class FunctionLowering:
    def __init__(self, fn: ir.Operation, ctx: PassContext, pass_name: str, kinds: TaskKinds, *,
                 scoped_awaits: bool = False):
        self.fn = fn
        self.scoped_awaits = scoped_awaits
        """Awaits vote across the executor's scope (runtime gasync_rt_await_ready)."""
        self.kinds = kinds
        self.uses_executor = False
        self.ctx = ctx
        self.pass_name = pass_name
        self.name = ir.StringAttr(fn.attributes["sym_name"]).value
        self.fn_type = ir.FunctionType(ir.TypeAttr(fn.attributes["function_type"]).value)
        self.loc = fn.location
        self.layout = fr.FrameLayout()

    # ------------------------------------------------------------------
    def run(self) -> None:
        self.lower_scf()
        body = self.fn.regions[0]
        self.check_suspensions_are_top_level(body)
        self.constants = [op.operation for block in body.blocks for op in block.operations
                          if op.operation.name in CONSTANT_OPS]
        # A spawned future's arguments are read where it is spawned (the task's
        # init runs there): create it right there, so that liveness sees them
        # live up to the spawn. Creating a future runs nothing.
        for block in body.blocks:
            for op in list(block.operations):
                op = op.operation
                if op.name == "gasync.spawn":
                    creation = op.operands[0].owner
                    getattr(creation, "operation", creation).move_before(op)
        # Each suspension point alone in its block: [suspension, br ^after].
        suspensions = [op.operation for block in list(body.blocks) for op in block.operations
                       if op.operation.name in SUSPENSION_OPS]
        for op in suspensions:
            split_before(op)
            split_before(list(op.block.operations)[1].operation)
        liveness = Liveness(body)
        saved = self.saved_values(suspensions, liveness)
        self.allocate_slots(saved, liveness)
        self.allocate_child_frames(body, liveness)
        self.layout.states = len(suspensions) + 1
        self.layout.finish()
        self.build(body, suspensions, saved)

    def lower_scf(self) -> None:
        pm = PassManager("func.func")
        pm.add("convert-scf-to-cf")
        pm.run(self.fn)

    def check_suspensions_are_top_level(self, body: ir.Region) -> None:
        for block in body.blocks:
            for op in block.operations:
                op = op.operation
                if len(op.regions) == 0:
                    continue
                for inner in walk(op):
                    if inner.name in SUSPENSION_OPS or inner.name in ("gasync.future",
                                                                      "gasync.spawn"):
                        raise LoweringError(
                            inner.location,
                            f"'{inner.name}' inside '{op.name}' is not supported: suspension "
                            "points and futures may be nested in scf and cf control flow only")

    def saved_values(self, suspensions, liveness: Liveness) -> list[ir.Value]:
        constants = {c.results[0] for c in self.constants}
        saved = set()
        for op in suspensions:
            # Resuming re-runs the suspension op itself (re-poll, re-join):
            # its operands are live there too.
            for v in list(liveness.live_after(op)) + list(op.operands):
                if v in constants or v in set(op.results) or gt.is_future_type(v.type):
                    continue
                saved.add(v)
        # Definition order, not the sets' (pointer-hash) order: the frame
        # layout must be the same on every run.
        position = {}
        for block in self.fn.regions[0].blocks:
            for arg in block.arguments:
                position[arg] = len(position)
            for inner in block.operations:
                for result in inner.operation.results:
                    position[result] = len(position)
        return sorted(saved, key=position.__getitem__)

    def share_slots(self, values: list[ir.Value], liveness: Liveness) -> None:
        """A slot for each saved value; values never live at the same time share
        one (in SSA, two values interfere exactly when one is live where the
        other is defined, and a slot is written only where its value is)."""
        if not values:
            return

        def live_at_definition(v: ir.Value) -> set:
            owner = v.owner
            if isinstance(owner, ir.Block):
                # Block arguments are all defined at the block's start.
                return set(liveness.live_in[owner]) | set(owner.arguments)
            op = getattr(owner, "operation", owner)
            live = liveness.live_after(op)
            if op.name == "gasync.spawn":
                # The task's init, which reads the spawned future's arguments,
                # runs after the task handle is stored.
                creation = op.operands[0].owner
                live = live | set(getattr(creation, "operation", creation).operands)
            return live

        live_at = {v: live_at_definition(v) for v in values}
        layouts = {v: fr.slot_layout(fr.i32() if gt.is_task_type(v.type) else v.type)
                   for v in values}
        placed: list[tuple[ir.Value, int, int]] = []
        for v in values:
            size, align = layouts[v]
            conflicts = [(s, e) for (w, s, e) in placed if w in live_at[v] or v in live_at[w]]
            start = 0
            while True:
                start = fr.align_up(start, align)
                clash = [e for (s, e) in conflicts if s < start + size and start < e]
                if not clash:
                    break
                start = max(clash)
            placed.append((v, start, start + size))
        align_max = max(a for _, a in layouts.values())
        base = self.layout.allocate(max(e for _, _, e in placed), align_max)
        for v, start, _ in placed:
            self.slot_of[v] = base + start
        self.ctx.stat(self.pass_name, "saved-value bytes shared",
                      sum(e - s for _, s, e in placed) - max(e for _, _, e in placed))

    def allocate_slots(self, saved: list[ir.Value], liveness: Liveness) -> None:
        layout = self.layout
        results = list(self.fn_type.results)
        try:
            if results:
                layout.result_offset = layout.allocate(*fr.slot_layout(results[0]))
            entry = self.fn.regions[0].blocks[0]
            self.arg_offsets = []
            for arg in entry.arguments:
                self.arg_offsets.append(layout.allocate(*fr.slot_layout(arg.type)))
            self.slot_of: dict[ir.Value, int] = {}
            for arg, offset in zip(entry.arguments, self.arg_offsets):
                self.slot_of[arg] = offset
            self.share_slots([v for v in saved if v not in self.slot_of], liveness)
        except fr.UnsupportedType as e:
            raise LoweringError(self.loc, f"async function '@{self.name}' keeps a value of type "
                                f"'{e}' across a suspension point: not supported in frames")
        self.saved = [v for v in saved if v not in set(entry.arguments)]

    def allocate_child_frames(self, body: ir.Region, liveness: Liveness) -> None:
        """Give each future a child-frame region; futures never alive at once share one."""
        futures = []
        self.all_futures = []
        for block in body.blocks:
            for op in block.operations:
                op = op.operation
                if op.name != "gasync.future":
                    continue
                consumers = [u.owner for u in op.results[0].uses]
                if consumers and consumers[0].name == "gasync.spawn":
                    continue  # its frame lives in the executor's pool (lower_spawn)
                # Awaited (in one or several exclusive branches), or never
                # consumed (the verifier warned): then it runs nothing.
                self.all_futures.append(op)
                if consumers:
                    futures.append(op)
        live_at = {f.results[0]: liveness.live_after(f) for f in futures}
        base = fr.align_up(self.layout.size, 8)
        placed: list[tuple[ir.Operation, int, int]] = []  # (future, start, end) relative to base
        self.child_offset: dict[ir.Value, int] = {}  # keyed by the future
        end_max, align_max = 0, 1
        for f in futures:
            child = frame_layout_of(callee_of(f))
            conflicts = [(s, e) for (g, s, e) in placed
                         if g.results[0] in live_at[f.results[0]] or f.results[0] in live_at[g.results[0]]]
            start = 0
            while True:
                start = fr.align_up(start, child.align)
                clash = [e for (s, e) in conflicts if s < start + child.size and start < e]
                if not clash:
                    break
                start = max(clash)
            placed.append((f, start, start + child.size))
            end_max = max(end_max, start + child.size)
            align_max = max(align_max, child.align)
        if futures:
            base = fr.align_up(self.layout.size, align_max)
            for f, start, _ in placed:
                self.child_offset[f.results[0]] = base + start
            self.layout.size = base + end_max
            self.layout.align = max(self.layout.align, align_max)
            self.ctx.stat(self.pass_name, "child frame bytes shared",
                          sum(e - s for _, s, e in placed) - end_max)

    # ------------------------------------------------------------------
    def build(self, body: ir.Region, suspensions, saved) -> None:
        layout = self.layout
        loc = self.loc
        arg_types = list(self.fn_type.inputs)
        result_types = list(self.fn_type.results)
        init_n, poll_n = fr.init_name(self.name), fr.poll_name(self.name)
        ip_fn = ir.InsertionPoint(self.fn)
        frame_attr = layout.attribute()
        self.fn.attributes[fr.FRAME_ATTR] = frame_attr  # read by callers lowered later

        # init(frame, args...)
        init = func.FuncOp(init_n, ir.FunctionType.get([fr.ptr()] + arg_types, []),
                           visibility="private", loc=loc, ip=ip_fn)
        init.operation.attributes[fr.FRAME_ATTR] = frame_attr
        entry = init.add_entry_block()
        with loc, ir.InsertionPoint(entry):
            frame = entry.arguments[0]
            for arg, offset in zip(list(entry.arguments)[1:], self.arg_offsets):
                fr.store(arg, frame, offset, loc=loc, ip=None)
            fr.store_state(frame, 0, loc=loc, ip=None)
            func.ReturnOp([])

        # poll(frame, executor) -> i1; the executor is null outside one.
        poll = func.FuncOp(poll_n, ir.FunctionType.get([fr.ptr(), fr.ptr()], [fr.i1()]),
                           visibility="private", loc=loc, ip=ip_fn)
        poll.operation.attributes[fr.FRAME_ATTR] = frame_attr
        dispatch = poll.add_entry_block()
        frame = dispatch.arguments[0]
        self.frame = frame
        self.executor = dispatch.arguments[1]
        old_blocks = list(body.blocks)
        returns = [block.operations[len(block.operations) - 1].operation for block in old_blocks
                   if block.operations[len(block.operations) - 1].operation.name == "func.return"]
        for block in old_blocks:
            block.append_to(poll.regions[0])
        old_entry = old_blocks[0]
        start = old_entry.create_before()
        finished = old_entry.create_before()
        for c in self.constants:
            c.detach_from_parent()
            dispatch.append(c)

        with loc, ir.InsertionPoint(start):
            args = [fr.load(a.type, frame, off, loc=loc, ip=None)
                    for a, off in zip(old_entry.arguments, self.arg_offsets)]
            cf.br(args, old_entry)
        with loc, ir.InsertionPoint(finished):
            func.ReturnOp([arith.constant(fr.i1(), 1)])

        replaced: dict[ir.Value, ir.Value] = {}
        spawns = [op.operation for block in list(poll.regions[0].blocks)
                  for op in block.operations if op.operation.name == "gasync.spawn"]
        for op in spawns:
            self.lower_spawn(op, replaced)

        self.init_child_frames()
        resume_blocks = []
        for k, op in enumerate(suspensions, start=1):
            block = op.block
            after = list(block.operations)[1].operation.successors[0]
            if op.name == "gasync.yield":
                self.suspend(k, op.location, ir.InsertionPoint(op))
                list(block.operations)[-1].operation.erase()  # the br ^after
                op.erase()
                resume_blocks.append(after)
                continue
            resume_blocks.append(block)
            if JOIN_RESULT_OFFSET in op.attributes:
                self.lower_join(op, k, block, after, replaced)
            else:
                self.lower_await(op, k, block, after, replaced)

        for op in returns:
            self.lower_return(op)
        for creation in self.all_futures:  # their awaits are lowered: no uses remain
            creation.erase()

        with loc, ir.InsertionPoint(dispatch):
            state = fr.llvm.load(fr.i32(), frame)
            cf.switch(state, [], [],
                      ir.DenseI32ArrayAttr.get([0] * (len(resume_blocks) + 1)),
                      finished, [start] + resume_blocks,
                      case_values=_i32_array(range(len(resume_blocks) + 1)))

        self.demote(saved, replaced, old_entry)
        if self.uses_executor:
            for f in (self.fn, init.operation, poll.operation):
                f.attributes[executor.USES_EXECUTOR] = ir.UnitAttr.get()
        self.ctx.stat(self.pass_name, "async functions lowered", 1)
        self.ctx.stat(self.pass_name, "frame bytes", layout.size)
        self.ctx.stat(self.pass_name, "states", layout.states)
        self.ctx.stat(self.pass_name, f"@{self.name}: frame bytes", layout.size)
        self.ctx.stat(self.pass_name, f"@{self.name}: states", layout.states)
        self.ctx.stat(self.pass_name, "values saved in frames", len(self.saved))

    def lower_await(self, op: ir.Operation, k: int, block: ir.Block, after: ir.Block,
                    replaced: dict) -> None:
        loc = op.location
        fut = op.operands[0]
        creation = fut.owner.operation if hasattr(fut.owner, "operation") else fut.owner
        callee = callee_of(creation)
        if executor.USES_EXECUTOR in callee.attributes:
            self.uses_executor = True
        child_layout = frame_layout_of(callee)
        init_n, poll_n = lowered_names(callee)
        offset = self.child_offset[fut]
        # ^block: [await, br ^after]  ->  poll; cond_br ready, ^cont, ^suspend
        br = list(block.operations)[1].operation
        cont = block.create_after()
        suspend = cont.create_after()
        with loc, ir.InsertionPoint(op):
            child = fr.gep(self.frame, offset, loc=loc, ip=None)
            lane_ready = func.CallOp([fr.i1()], ir.FlatSymbolRefAttr.get(poll_n),
                                     [child, self.executor]).result
            ready = lane_ready
            if self.scoped_awaits:
                ready = func.CallOp([fr.i1()], ir.FlatSymbolRefAttr.get(executor.AWAIT_READY),
                                    [self.executor, lane_ready]).result
            cf.cond_br(ready, [], [], cont, suspend)
        self.suspend(k, loc, ir.InsertionPoint(suspend))
        with loc, ir.InsertionPoint(cont):
            if len(op.results):
                value = fr.load(op.results[0].type, self.frame,
                                offset + child_layout.result_offset, loc=loc, ip=None)
                op.results[0].replace_all_uses_with(value)
                replaced[op.results[0]] = value
            cf.br([], after)
        br.erase()
        op.erase()

    def init_child_frames(self) -> None:
        """A future's creation initialises its child frame in place (once, even
        when exclusive branches each await it); unconsumed futures run nothing."""
        for creation in self.all_futures:
            if creation.results[0] in self.child_offset:
                callee = callee_of(creation)
                init_n, _ = lowered_names(callee)
                loc = creation.location
                with loc, ir.InsertionPoint(creation):
                    child = fr.gep(self.frame, self.child_offset[creation.results[0]], loc=loc,
                                   ip=None)
                    func.CallOp([], ir.FlatSymbolRefAttr.get(init_n),
                                [child] + list(creation.operands))

    def lower_spawn(self, op: ir.Operation, replaced: dict) -> None:
        """`spawn(future(@g, args))`: take a pool slot of g's kind, initialise
        g's frame there, queue it; the task handle is the slot index. If the
        pool is full the executor's status says so and this poll returns at
        once: the executor stops before polling anything again."""
        loc = op.location
        self.uses_executor = True
        creation = op.operands[0].owner
        creation = getattr(creation, "operation", creation)
        callee = callee_of(creation)
        kind = self.kinds.kind_of(callee)
        init_n, _ = lowered_names(callee)
        block = op.block
        with loc, ir.InsertionPoint(op):
            slot = func.CallOp([fr.i32()], ir.FlatSymbolRefAttr.get(executor.SPAWN),
                               [self.executor, arith.constant(fr.i32(), kind)]).result
            ok = arith.cmpi(arith.CmpIPredicate.sge, slot, arith.constant(fr.i32(), 0))
        tail = split_before(op)
        list(block.operations)[-1].operation.erase()  # split_before's br
        overflow = tail.create_after()
        with loc, ir.InsertionPoint(block):
            cf.cond_br(ok, [], [], tail, overflow)
        with loc, ir.InsertionPoint(overflow):
            func.ReturnOp([arith.constant(fr.i1(), 0)])
        with loc, ir.InsertionPoint(op):
            child = func.CallOp([fr.ptr()], ir.FlatSymbolRefAttr.get(executor.SLOT_FRAME),
                                [self.executor, slot]).result
            func.CallOp([], ir.FlatSymbolRefAttr.get(init_n), [child] + list(creation.operands))
        result_offset = frame_layout_of(callee).result_offset
        for use in list(op.results[0].uses):
            use.owner.attributes[JOIN_RESULT_OFFSET] = ir.IntegerAttr.get(fr.i64(), result_offset)
        replaced[op.results[0]] = slot
        op.results[0].replace_all_uses_with(slot)
        op.erase()
        creation.erase()
        self.ctx.stat(self.pass_name, "spawns lowered", 1)

    def lower_join(self, op: ir.Operation, k: int, block: ir.Block, after: ir.Block,
                   replaced: dict) -> None:
        """Awaiting a task: done -> read its result and free its slot; else the
        executor parks this task until that one finishes (no re-polling)."""
        loc = op.location
        self.uses_executor = True
        slot = op.operands[0]
        result_offset = ir.IntegerAttr(op.attributes[JOIN_RESULT_OFFSET]).value
        br = list(block.operations)[1].operation
        cont = block.create_after()
        suspend = cont.create_after()
        with loc, ir.InsertionPoint(op):
            done = func.CallOp([fr.i1()], ir.FlatSymbolRefAttr.get(executor.JOIN),
                               [self.executor, slot]).result
            cf.cond_br(done, [], [], cont, suspend)
        self.suspend(k, loc, ir.InsertionPoint(suspend))
        with loc, ir.InsertionPoint(cont):
            if len(op.results):
                child = func.CallOp([fr.ptr()], ir.FlatSymbolRefAttr.get(executor.SLOT_FRAME),
                                    [self.executor, slot]).result
                value = fr.load(op.results[0].type, child, result_offset, loc=loc, ip=None)
                op.results[0].replace_all_uses_with(value)
                replaced[op.results[0]] = value
            func.CallOp([], ir.FlatSymbolRefAttr.get(executor.RELEASE), [self.executor, slot])
            cf.br([], after)
        br.erase()
        op.erase()

    def suspend(self, k: int, loc: ir.Location, ip: ir.InsertionPoint) -> None:
        """Pending: resume at state k on the next poll."""
        with loc, ip:
            fr.store_state(self.frame, k, loc=loc, ip=None)
            func.ReturnOp([arith.constant(fr.i1(), 0)])

    def lower_return(self, op: ir.Operation) -> None:
        loc = op.location
        with loc, ir.InsertionPoint(op):
            if len(op.operands):
                fr.store(op.operands[0], self.frame, self.layout.result_offset, loc=loc, ip=None)
            fr.store_state(self.frame, fr.STATE_DONE, loc=loc, ip=None)
            func.ReturnOp([arith.constant(fr.i1(), 1)])
        op.erase()

    def demote(self, saved, replaced: dict, old_entry: ir.Block) -> None:
        """Values live across a suspension: stored after their definition, loaded
        at the start of every other block that uses them."""
        entry_args = set(old_entry.arguments)
        for original in saved:
            v = replaced.get(original, original)
            offset = self.slot_of[original]
            owner = v.owner
            if isinstance(owner, ir.Block):
                def_block = owner
                if v not in entry_args:
                    first = list(owner.operations)[0].operation
                    fr.store(v, self.frame, offset, loc=first.location, ip=ir.InsertionPoint(first))
            else:
                def_op = owner.operation if hasattr(owner, "operation") else owner
                def_block = def_op.block
                nxt = _next_op(def_op)
                fr.store(v, self.frame, offset, loc=def_op.location, ip=ir.InsertionPoint(nxt))
            loads: dict[ir.Block, ir.Value] = {}
            for use in list(v.uses):
                user = use.owner
                user = user.operation if hasattr(user, "operation") else user
                top = _top_level(user, self.frame.owner.region)
                if top.block == def_block and (isinstance(owner, ir.Block) or
                                               _before(def_op, top)):
                    continue
                block = top.block
                if block not in loads:
                    first = list(block.operations)[0].operation
                    loads[block] = fr.load(v.type, self.frame, offset, loc=first.location,
                                           ip=ir.InsertionPoint(first))
                user.operands[use.operand_number] = loads[block]


def _i32_array(values) -> ir.Attribute:
    values = list(values)
    return ir.Attribute.parse(
        f"dense<[{', '.join(str(v) for v in values)}]> : vector<{len(values)}xi32>")


def _next_op(op: ir.Operation) -> ir.Operation:
    ops = [o.operation for o in op.block.operations]
    return ops[ops.index(op) + 1]


def _top_level(op: ir.Operation, region: ir.Region) -> ir.Operation:
    """The ancestor of `op` (or op itself) directly inside `region`."""
    while op.block.region != region:
        op = op.parent.operation if hasattr(op.parent, "operation") else op.parent
    return op


def _before(a: ir.Operation, b: ir.Operation) -> bool:
    return a == b or a.is_before_in_block(b)
