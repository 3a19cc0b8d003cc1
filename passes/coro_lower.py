"""gasync-coro-lower: every async function becomes a frame, an init and a poll function.

For an async function `@f(A...) -> T` (after async blocks are outlined and
combinators lowered, so every future is the call form):

- `@f$init(%frame: !llvm.ptr, A...)` stores the arguments and sets the start
  state (0);
- `@f$poll(%frame: !llvm.ptr) -> i1` resumes at the saved state through a
  `cf.switch`, runs to the next pending suspension (saves the state, returns
  false) or to the end (stores the result, sets the done state (-1), returns
  true);
- the frame is raw bytes: the state (i32 at offset 0), the result slot, the
  argument slots, a slot for every value live across a suspension point (and
  only those: liveness over the function's CFG after scf-to-cf), the memory
  of allocas used after a suspension point (as Rust keeps such locals in the
  generator), and the frames of awaited futures, which share storage when
  never alive at once:

      +----------------------------+ 0
      | state | result | arguments |
      | saved values (shared)      |
      | allocas                    |
      | child frames (shared)      |
      +----------------------------+ size

Its layout is the `gasync.frame` attribute on both functions (size, align,
result_offset, states), read by callers and by `gasync-lower-block-on`.
Callees are lowered before callers (the verifier rejects cycles), so a
caller knows the size of every child frame it embeds.

Three steps per function, each returning data to the next: the analysis
(passes/coro_analysis.py: suspension points, liveness, storage conflicts),
the frozen frame plan (passes/frame_plan.py: every offset and state), and the
rewrite here, which builds init and poll from the plan. Every step is linear
in the function's size plus its live sets (n log n in the packer).
"""

from __future__ import annotations

import dataclasses

from mlir import ir
from mlir.dialects import arith, cf, func
from mlir.passmanager import PassManager

from gasync.dialect.catalogue import ASYNC_ATTR, CALLEE
from gasync.dialect.ir_utils import symbol_name, walk

from . import executor
from . import frame as fr
from .base import ModulePass, PassContext, register
from .coro_analysis import SUSPENSION_OPS, CoroAnalysis, LoweringError, analyse
from .frame_plan import Callees, FramePlan, creation_of, plan_frame
from .outline_async_blocks import nearest_symbol_table
from .state_machine_graph import describe


def lowered_names(callee: ir.Operation) -> tuple[str, str]:
    name = ir.StringAttr(callee.attributes["sym_name"]).value
    return fr.init_name(name), fr.poll_name(name)


def future_callees(fn: ir.Operation, callees: Callees) -> list[ir.Operation]:
    """The async functions `fn` creates futures of."""
    return [callees.of(op) for op in walk(fn)
            if op.name == "gasync.future" and CALLEE in op.attributes]


def topological_order(functions: list[ir.Operation],
                      edges: dict[tuple[str, str], list[ir.Operation]]) -> list[ir.Operation]:
    """Callees first (the verifier has rejected cycles). Iterative: chains of
    thousands of async functions must not hit Python's recursion limit."""
    by_key = {function_key(fn): fn for fn in functions}

    def callees(fn: ir.Operation) -> list[tuple[str, str]]:
        return [function_key(c) for c in edges[function_key(fn)] if ASYNC_ATTR in c.attributes]

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
        ops = list(walk(module))
        if not self.inputs_lowered(ops, ctx):
            return
        functions = [op for op in ops if op.name == "func.func" and ASYNC_ATTR in op.attributes]
        block_ons = [op for op in ops if op.name == "gasync.block_on"]
        callees = Callees()
        edges = {function_key(fn): future_callees(fn, callees) for fn in functions}
        kinds = TaskKinds()
        warp_scoped = warp_scoped_functions(block_ons, functions, edges, callees)
        try:
            for fn in topological_order(functions, edges):
                normalise(fn)
                analysis = analyse(fn.regions[0])
                plan = plan_frame(fn, analysis, callees)
                if ctx.state_machines is not None:  # before the rewrite erases the suspensions
                    ctx.state_machines.append(describe(fn, function_key(fn), analysis, plan,
                                                       function_key, ctx.diags))
                Rewrite(fn, analysis, plan, kinds, callees,
                        scoped_awaits=function_key(fn) in warp_scoped).run()
                self.record(ctx, fn, analysis, plan)
            self.assign_root_kinds(block_ons, kinds, callees)
        except LoweringError as e:
            ctx.diags.error(e.loc, str(e))
            return
        for fn in functions:
            fn.erase()
        for table_op, table_kinds in kinds.tables():
            executor.add_executor(table_op, table_kinds)

    @staticmethod
    def inputs_lowered(ops: list[ir.Operation], ctx: PassContext) -> bool:
        """Whether every future is the call form, as the passes before this one
        leave it; else a located error naming the pass to run first."""
        for op in ops:
            if op.name == "gasync.future" and CALLEE not in op.attributes:
                what, first = "an async block", "gasync-outline-async-blocks"
            elif op.name in ("gasync.then", "gasync.ready"):
                what, first = f"'{op.name}'", "gasync-lower-combinators"
            else:
                continue
            ctx.diags.error(op.location, f"gasync-coro-lower cannot lower {what}: run {first} "
                                         "before it (gasync-coro does)")
            return False
        return True

    def record(self, ctx: PassContext, fn: ir.Operation, analysis: CoroAnalysis,
               plan: FramePlan) -> None:
        name = ir.StringAttr(fn.attributes["sym_name"]).value
        layout = plan.layout
        for what, shared in plan.bytes_shared.items():
            ctx.stat(self.name, f"{what} bytes shared", shared)
        if analysis.spawns:
            ctx.stat(self.name, "spawns lowered", len(analysis.spawns))
        if analysis.frame_allocas:
            ctx.stat(self.name, "allocas kept in frames", len(analysis.frame_allocas))
        ctx.stat(self.name, "async functions lowered", 1)
        ctx.stat(self.name, "frame bytes", layout.size)
        ctx.stat(self.name, "states", layout.states)
        ctx.stat(self.name, f"@{name}: frame bytes", layout.size)
        ctx.stat(self.name, f"@{name}: states", layout.states)
        ctx.stat(self.name, "values saved in frames",
                 len(plan.slots) - len(plan.argument_offsets))

    @staticmethod
    def assign_root_kinds(block_ons: list[ir.Operation], kinds: "TaskKinds",
                          callees: Callees) -> None:
        """The future of a block_on that needs the executor runs as its root task."""
        for op in block_ons:
            creation = creation_of(op.operands[0])
            if isinstance(creation, ir.Operation) and creation.name == "gasync.future":
                callee = callees.of(creation)
                if executor.USES_EXECUTOR in callee.attributes:
                    kinds.kind_of(callee)


def function_key(fn: ir.Operation) -> tuple[str, str]:
    """An async function's name qualified by its symbol table (a gpu.module
    holds clones of top-level functions under the same names)."""
    return (symbol_name(nearest_symbol_table(fn)) or "",
            ir.StringAttr(fn.attributes["sym_name"]).value)


def warp_scoped_functions(block_ons: list[ir.Operation], functions: list[ir.Operation],
                          edges: dict[tuple[str, str], list[ir.Operation]], callees: Callees
                          ) -> set[tuple[str, str]]:
    """Async functions that may run in a warp- or block-scope executor: reachable
    through futures from the future of a `block_on {scope = "warp" | "block"}`
    that spawns tasks (their awaits vote across the warp)."""
    def reachable(roots: list[ir.Operation]) -> set[tuple[str, str]]:
        seen, work = set(), [function_key(r) for r in roots]
        while work:
            key = work.pop()
            if key in seen or key not in edges:
                continue
            seen.add(key)
            work.extend(function_key(c) for c in edges[key])
        return seen

    scoped = [op for op in block_ons if "scope" in op.attributes and
              ir.StringAttr(op.attributes["scope"]).value in ("warp", "block")]
    if not scoped:
        return set()
    spawns = {function_key(fn) for fn in functions
              if any(op.name == "gasync.spawn" for op in walk(fn))}
    roots = []
    for op in scoped:
        creation = creation_of(op.operands[0])
        if isinstance(creation, ir.Operation) and creation.name == "gasync.future":
            root = callees.of(creation)
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




# ---------------------------------------------------------------------------
# Normalisation: the shape the analysis and the rewrite expect.


def normalise(fn: ir.Operation) -> None:
    """scf to cf; each suspension point alone in its block, before a `cf.br`;
    each spawn in a block of its own that starts with its future's creation
    (the rewrite puts the pool-full check before it). A spawned future's
    arguments are read where it is spawned (the task's init runs there), so
    its creation moves right before the spawn, and liveness sees them live up
    to it; a future also awaited in another branch is created again there
    instead. Creating a future runs nothing."""
    pm = PassManager("func.func")
    pm.add("convert-scf-to-cf")
    pm.run(fn)
    body = fn.regions[0]
    check_suspensions_are_top_level(body)
    spawns = [op.operation for block in body.blocks for op in block.operations
              if op.operation.name == "gasync.spawn"]
    for op in spawns:
        creation = creation_of(op.operands[0])
        if len(list(op.operands[0].uses)) > 1:
            creation = creation.clone(ip=ir.InsertionPoint(op))
            op.operands[0] = creation.results[0]
        else:
            creation.move_before(op)
    for block in list(body.blocks):
        ops = [op.operation for op in block.operations]
        splits = []
        for k, op in enumerate(ops):
            if op.name == "gasync.spawn":
                splits.append(ops[k - 1])  # its creation
            elif op.name in SUSPENSION_OPS:
                splits += [op, ops[k + 1]]
        if splits:
            split_block(block, splits)


def split_block(block: ir.Block, before: list[ir.Operation]) -> None:
    """Split `block` before each of `before` (in block order): each starts a
    new block that the previous part branches to. From the last split to the
    first, so that every op moves once."""
    ops = [op.operation for op in block.operations]
    position = {op: k for k, op in enumerate(ops)}
    end = len(ops)
    moved_br = None  # the branch that ends the part after the current split
    for op in reversed(before):
        start = position[op]
        tail = block.create_after()
        for other in ops[start:end]:
            other.detach_from_parent()
            tail.append(other)
        if moved_br is not None:
            moved_br.detach_from_parent()
            tail.append(moved_br)
        moved_br = cf.br([], tail, loc=op.location, ip=ir.InsertionPoint(block))
        end = start


def check_suspensions_are_top_level(body: ir.Region) -> None:
    for block in body.blocks:
        for op in block.operations:
            op = op.operation
            if len(op.regions) == 0:
                continue
            for inner in walk(op):
                if inner.name in SUSPENSION_OPS or inner.name in ("gasync.future", "gasync.spawn"):
                    raise LoweringError(
                        inner.location,
                        f"'{inner.name}' inside '{op.name}' is not supported: suspension "
                        "points and futures may be nested in scf and cf control flow only")


# ---------------------------------------------------------------------------
# The rewrite: init and poll from the plan.


class Rewrite:
    """Builds `@f$init` and `@f$poll` from the plan, moving the normalised body
    of `@f` into the poll function."""

    def __init__(self, fn: ir.Operation, analysis: CoroAnalysis, plan: FramePlan,
                 kinds: TaskKinds, callees: Callees, *, scoped_awaits: bool):
        self.fn = fn
        self.callees = callees
        self.analysis = analysis
        self.plan = plan
        self.kinds = kinds
        self.scoped_awaits = scoped_awaits
        """Awaits vote across the executor's scope (runtime gasync_rt_await_ready)."""
        self.name = ir.StringAttr(fn.attributes["sym_name"]).value
        self.fn_type = ir.FunctionType(ir.TypeAttr(fn.attributes["function_type"]).value)
        self.loc = fn.location
        self.frame_attr = plan.layout.attribute()
        self.replaced: dict[ir.Value, ir.Value] = {}
        """Values of `@f` the rewrite replaced (a task handle by its slot index,
        an await's result by its load), for the demotion of saved values."""
        self.poll = func.FuncOp(fr.poll_name(self.name),
                                ir.FunctionType.get([fr.ptr(), fr.ptr()], [fr.i1()]),
                                visibility="private", loc=self.loc, ip=ir.InsertionPoint(fn))
        self.dispatch = self.poll.add_entry_block()
        self.frame, self.executor = self.dispatch.arguments  # the executor is null outside one

    def run(self) -> None:
        self.fn.attributes[fr.FRAME_ATTR] = self.frame_attr  # read by callers lowered later
        init = self.build_init()
        self.poll.operation.move_after(init.operation)
        self.poll.operation.attributes[fr.FRAME_ATTR] = self.frame_attr
        body = self.fn.regions[0]
        old_blocks = list(body.blocks)
        returns = [block.operations[len(block.operations) - 1].operation for block in old_blocks
                   if block.operations[len(block.operations) - 1].operation.name == "func.return"]
        for block in old_blocks:
            block.append_to(self.poll.regions[0])
        old_entry = old_blocks[0]
        start = old_entry.create_before()
        finished = old_entry.create_before()
        for c in self.analysis.constants:
            c.detach_from_parent()
            self.dispatch.append(c)
        self.place_allocas_in_frame()

        loc = self.loc
        with loc, ir.InsertionPoint(start):
            args = [fr.load(a.type, self.frame, off, loc=loc, ip=None)
                    for a, off in zip(old_entry.arguments, self.plan.argument_offsets)]
            cf.br(args, old_entry)
        with loc, ir.InsertionPoint(finished):
            func.ReturnOp([arith.constant(fr.i1(), 1)])

        for op in self.analysis.spawns:
            self.lower_spawn(op)
        self.init_child_frames()
        resume_blocks = []
        for point in self.plan.suspensions:
            op = point.op
            block = op.block
            after = block.operations[1].operation.successors[0]
            if point.kind == "yield":
                self.suspend(point.state, op.location, ir.InsertionPoint(op))
                block.operations[len(block.operations) - 1].operation.erase()  # the br ^after
                op.erase()
                resume_blocks.append(after)
                continue
            resume_blocks.append(block)
            if point.kind == "join":
                self.lower_join(point, block, after)
            else:
                self.lower_await(point, block, after)

        for op in returns:
            self.lower_return(op)
        for creation in self.analysis.inline_futures:  # their awaits are lowered: no uses remain
            creation.erase()

        with loc, ir.InsertionPoint(self.dispatch):
            state = fr.load_state(self.frame, loc=loc, ip=None)
            states = [fr.STATE_START] + [p.state for p in self.plan.suspensions]
            cf.switch(state, [], [], ir.DenseI32ArrayAttr.get([0] * len(states)),
                      finished, [start] + resume_blocks, case_values=_i32_array(states))

        self.demote(old_entry)
        if self.plan.uses_executor:
            for f in (self.fn, init.operation, self.poll.operation):
                f.attributes[executor.USES_EXECUTOR] = ir.UnitAttr.get()

    def build_init(self) -> func.FuncOp:
        """init(frame, args...): the arguments into their slots, the start state."""
        loc = self.loc
        init = func.FuncOp(fr.init_name(self.name),
                           ir.FunctionType.get([fr.ptr()] + list(self.fn_type.inputs), []),
                           visibility="private", loc=loc, ip=ir.InsertionPoint(self.fn))
        init.operation.attributes[fr.FRAME_ATTR] = self.frame_attr
        entry = init.add_entry_block()
        with loc, ir.InsertionPoint(entry):
            frame = entry.arguments[0]
            for arg, offset in zip(list(entry.arguments)[1:], self.plan.argument_offsets):
                fr.store(arg, frame, offset, loc=loc, ip=None)
            fr.store_state(frame, fr.STATE_START, loc=loc, ip=None)
            func.ReturnOp([])
        return init

    def place_allocas_in_frame(self) -> None:
        """Each frame alloca becomes its address in the frame, computed at the
        poll's entry (it dominates every state; the frame does not move)."""
        for op in self.analysis.frame_allocas:
            offset = self.plan.allocas[op.results[0]]
            loc = op.location
            with loc, ir.InsertionPoint(self.dispatch):
                if op.name == "llvm.alloca":
                    address = fr.gep(self.frame, offset, loc=loc, ip=None)
                else:
                    address = fr.memref_view(self.frame, offset, op.results[0].type, loc=loc,
                                             ip=None)
            op.results[0].replace_all_uses_with(address)
            op.erase()

    def lower_await(self, point, block: ir.Block, after: ir.Block) -> None:
        """Awaiting a future: poll its frame in place; ready -> read its result."""
        op = point.op
        loc = op.location
        _, poll_n = lowered_names(point.callee)
        # ^block: [await, br ^after]  ->  poll; cond_br ready, ^cont, ^suspend
        br = block.operations[1].operation
        cont = block.create_after()
        suspend = cont.create_after()
        with loc, ir.InsertionPoint(op):
            child = fr.gep(self.frame, point.child_offset, loc=loc, ip=None)
            ready = func.CallOp([fr.i1()], ir.FlatSymbolRefAttr.get(poll_n),
                                [child, self.executor]).result
            if self.scoped_awaits:
                ready = func.CallOp([fr.i1()], ir.FlatSymbolRefAttr.get(executor.AWAIT_READY),
                                    [self.executor, ready]).result
            cf.cond_br(ready, [], [], cont, suspend)
        self.suspend(point.state, loc, ir.InsertionPoint(suspend))
        with loc, ir.InsertionPoint(cont):
            if len(op.results):
                self.replace_result(op, fr.load(op.results[0].type, self.frame,
                                                point.child_offset + point.result_offset,
                                                loc=loc, ip=None))
            cf.br([], after)
        br.erase()
        op.erase()

    def init_child_frames(self) -> None:
        """A future's creation initialises its child frame in place (once, even
        when exclusive branches each await it); unconsumed futures run nothing."""
        for creation in self.analysis.awaited_futures:
            init_n, _ = lowered_names(self.callees.of(creation))
            loc = creation.location
            with loc, ir.InsertionPoint(creation):
                child = fr.gep(self.frame, self.plan.child_frames[creation.results[0]], loc=loc,
                               ip=None)
                func.CallOp([], ir.FlatSymbolRefAttr.get(init_n),
                            [child] + list(creation.operands))

    def lower_spawn(self, op: ir.Operation) -> None:
        """`spawn(future(@g, args))`: take a pool slot of g's kind, initialise
        g's frame there, queue it; the task handle is the slot index. If the
        pool is full the executor's status says so and this poll returns at
        once: the executor stops before polling anything again. Normalisation
        put the creation and the spawn at the start of a block of their own."""
        loc = op.location
        creation = creation_of(op.operands[0])
        callee = self.callees.of(creation)
        kind = self.kinds.kind_of(callee)
        init_n, _ = lowered_names(callee)
        tail = op.block
        before = list(tail.predecessors)[0]
        br = before.operations[len(before.operations) - 1].operation
        with loc, ir.InsertionPoint(br):
            slot = func.CallOp([fr.i32()], ir.FlatSymbolRefAttr.get(executor.SPAWN),
                               [self.executor, arith.constant(fr.i32(), kind)]).result
            ok = arith.cmpi(arith.CmpIPredicate.sge, slot, arith.constant(fr.i32(), 0))
        br.erase()
        overflow = tail.create_after()
        with loc, ir.InsertionPoint(before):
            cf.cond_br(ok, [], [], tail, overflow)
        with loc, ir.InsertionPoint(overflow):
            func.ReturnOp([arith.constant(fr.i1(), 0)])
        with loc, ir.InsertionPoint(op):
            child = func.CallOp([fr.ptr()], ir.FlatSymbolRefAttr.get(executor.SLOT_FRAME),
                                [self.executor, slot]).result
            func.CallOp([], ir.FlatSymbolRefAttr.get(init_n), [child] + list(creation.operands))
        self.replaced[op.results[0]] = slot
        op.results[0].replace_all_uses_with(slot)
        op.erase()
        creation.erase()

    def lower_join(self, point, block: ir.Block, after: ir.Block) -> None:
        """Awaiting a task: done -> read its result and free its slot; else the
        executor parks this task until that one finishes (no re-polling)."""
        op = point.op
        loc = op.location
        slot = op.operands[0]
        br = block.operations[1].operation
        cont = block.create_after()
        suspend = cont.create_after()
        with loc, ir.InsertionPoint(op):
            done = func.CallOp([fr.i1()], ir.FlatSymbolRefAttr.get(executor.JOIN),
                               [self.executor, slot]).result
            cf.cond_br(done, [], [], cont, suspend)
        self.suspend(point.state, loc, ir.InsertionPoint(suspend))
        with loc, ir.InsertionPoint(cont):
            if len(op.results):
                child = func.CallOp([fr.ptr()], ir.FlatSymbolRefAttr.get(executor.SLOT_FRAME),
                                    [self.executor, slot]).result
                self.replace_result(op, fr.load(op.results[0].type, child, point.result_offset,
                                                loc=loc, ip=None))
            func.CallOp([], ir.FlatSymbolRefAttr.get(executor.RELEASE), [self.executor, slot])
            cf.br([], after)
        br.erase()
        op.erase()

    def replace_result(self, op: ir.Operation, value: ir.Value) -> None:
        op.results[0].replace_all_uses_with(value)
        self.replaced[op.results[0]] = value

    def suspend(self, state: int, loc: ir.Location, ip: ir.InsertionPoint) -> None:
        """Pending: resume at `state` on the next poll."""
        with loc, ip:
            fr.store_state(self.frame, state, loc=loc, ip=None)
            func.ReturnOp([arith.constant(fr.i1(), 0)])

    def lower_return(self, op: ir.Operation) -> None:
        loc = op.location
        with loc, ir.InsertionPoint(op):
            if len(op.operands):
                fr.store(op.operands[0], self.frame, self.plan.layout.result_offset, loc=loc,
                         ip=None)
            fr.store_state(self.frame, fr.STATE_DONE, loc=loc, ip=None)
            func.ReturnOp([arith.constant(fr.i1(), 1)])
        op.erase()

    def demote(self, old_entry: ir.Block) -> None:
        """Values live across a suspension: stored after their definition, loaded
        at the start of every other block that uses them."""
        entry_args = set(old_entry.arguments)
        region = self.poll.regions[0]
        for original in self.analysis.saved:
            v = self.replaced.get(original, original)
            offset = self.plan.slots[original]
            owner = v.owner
            if isinstance(owner, ir.Block):
                def_block = owner
                if v not in entry_args:
                    first = owner.operations[0].operation
                    fr.store(v, self.frame, offset, loc=first.location, ip=ir.InsertionPoint(first))
            else:
                def_op = getattr(owner, "operation", owner)
                def_block = def_op.block
                fr.store(v, self.frame, offset, loc=def_op.location,
                         ip=ir.InsertionPoint.after(def_op))
            loads: dict[ir.Block, ir.Value] = {}
            for use in list(v.uses):
                user = use.owner
                user = getattr(user, "operation", user)
                top = _top_level(user, region)
                if top.block == def_block:
                    continue  # in SSA, after the definition: no reload needed
                block = top.block
                if block not in loads:
                    first = block.operations[0].operation
                    loads[block] = fr.load(v.type, self.frame, offset, loc=first.location,
                                           ip=ir.InsertionPoint(first))
                user.operands[use.operand_number] = loads[block]


def _i32_array(values) -> ir.Attribute:
    values = list(values)
    return ir.Attribute.parse(
        f"dense<[{', '.join(str(v) for v in values)}]> : vector<{len(values)}xi32>")


def _top_level(op: ir.Operation, region: ir.Region) -> ir.Operation:
    """The ancestor of `op` (or op itself) directly inside `region`."""
    while op.block.region != region:
        op = op.parent.operation if hasattr(op.parent, "operation") else op.parent
    return op

