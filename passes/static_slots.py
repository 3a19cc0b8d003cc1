"""Static slot indices for a register executor (runtime/abi.py's
Header.PACKED), used by `gasync-lower-block-on` when it specialises an
executor's copy of the runtime and of the task code.

A task's frame is found by its slot, a runtime value (the popped run-queue
entry, a spawn's free slot, a task handle). An access through
`gasync_rt_slot_frame(exec, slot)` at a runtime slot addresses the frames at
a runtime offset, which keeps them in memory (local memory on the GPU). Here
every such access becomes a switch on the slot whose cases use a constant
slot, so that after inlining every frame access has a constant offset and
LLVM (SROA) promotes the frames to registers:

- the run loop's poll (`gasync_rt_poll_slot`): a case per slot, calling the
  root's poll in slot 0 and, in the other slots, the poll of each kind that
  the executor's tasks spawn (a switch on the kind when there are several);
- every other use of a frame at a runtime slot (a spawn's init, a join's
  result, the watchdog's site lookup): the ops from the `slot_frame` call
  to its last user, cloned into a case per slot.

- a slot's kind, when the executor's tasks are all of one kind: the root's
  kind in slot 0, the tasks' in the others (a select, not the packed kind
  words, which are then never read and not kept in registers).

The last case of each switch is its default: a slot is always below the
pool (a spawn that finds no free slot faults before it touches a frame), and
a task's kind is one its executor spawns (the root's kind only in slot 0).
"""

from __future__ import annotations

from collections.abc import Callable

from mlir import ir
from mlir.dialects import arith, func, llvm, scf

from gasync.dialect.ir_utils import flat_symbol, walk

from . import executor
from . import frame as fr

POLL_SLOT = "gasync_rt_poll_slot"
SLOT_GET = "gasync_rt_slot_get"
KIND_GET = "gasync_rt_kind_get"
TERMINATORS = ("cf.br", "cf.cond_br", "cf.switch", "func.return")


def constant_of(value: ir.Value) -> int | None:
    owner = value.owner
    owner = getattr(owner, "operation", owner)
    if isinstance(owner, ir.Operation) and owner.name == "arith.constant":
        return ir.IntegerAttr(owner.attributes["value"]).value
    return None


def spawned_kinds(table_op: ir.Operation, root_poll: str, poll_of: Callable[[int], str],
                  original: Callable[[str], str]) -> set[int] | None:
    """The task kinds that the root's poll spawns, itself, through the code
    it calls and through the tasks it spawns (None when a spawn's kind is
    not a constant); `original` maps a copy's name to the runtime's."""
    table = ir.SymbolTable(table_op)
    kinds, seen, stack = set(), set(), [root_poll]
    while stack:
        name = stack.pop()
        if name in seen or name not in table:
            continue
        seen.add(name)
        for op in walk(table[name].operation):
            if op.name != "func.call":
                continue
            callee = flat_symbol(op.attributes["callee"])
            if original(callee) in (executor.SPAWN, executor.SPAWN_AT):
                kind = constant_of(op.operands[1])
                if kind is None:
                    return None
                kinds.add(kind)
                stack.append(poll_of(kind))
            else:
                stack.append(callee)
    return kinds


def _switch(value: str, cases: list[tuple[int, list[str]]], indent: str) -> list[str]:
    """`scf.index_switch` on the i32 `%value` yielding an i1 `%value_done`:
    one case per (case value, body lines yielding it), the last the default."""
    lines = [f"{indent}%{value}_index = arith.index_cast %{value} : i32 to index",
             f"{indent}%{value}_done = scf.index_switch %{value}_index -> i1"]
    for i, (case, body) in enumerate(cases):
        lines.append(f"{indent}{'default' if i == len(cases) - 1 else f'case {case}'} {{")
        lines += [f"{indent}  {line}" for line in body]
        lines.append(f"{indent}}}")
    return lines


def write_poll_slot(table_op: ir.Operation, name: str, pool: int, stride: int, slot_frame: str,
                    root_poll: str, task_polls: dict[int, str]) -> None:
    """Replace the body of `name` (an executor's copy of gasync_rt_poll_slot)
    by the switch on the slot: `root_poll` in slot 0, in the others the poll
    of the task's kind among `task_polls` (kind -> poll function)."""

    def poll(callee: str, slot: int, tag: str) -> list[str]:
        return [f"%b{tag} = func.call @\"{slot_frame}\"(%exec, %zero) "
                ": (!llvm.ptr, i32) -> !llvm.ptr",
                f"%f{tag} = llvm.getelementptr %b{tag}[{slot * stride}] "
                ": (!llvm.ptr) -> !llvm.ptr, i8",
                f'%p{tag} = func.call @"{callee}"(%f{tag}, %exec) '
                ": (!llvm.ptr, !llvm.ptr) -> i1",
                f"scf.yield %p{tag} : i1"]

    def task(slot: int) -> list[str]:
        if len(task_polls) == 1:
            return poll(next(iter(task_polls.values())), slot, str(slot))
        # The kind's switch is nested in the slot's: SSA names are unique per slot.
        lines = [f"%k{slot} = arith.addi %kind, %zero : i32"]
        lines += _switch(f"k{slot}", [(kind, poll(callee, slot, f"{slot}_{kind}"))
                                      for kind, callee in sorted(task_polls.items())], "")
        return lines + [f"scf.yield %k{slot}_done : i1"]

    cases = [(0, poll(root_poll, 0, "0"))] + [(slot, task(slot)) for slot in range(1, pool)]
    lines = [f'func.func private @"{name}"(%exec: !llvm.ptr, %kind: i32, %slot: i32) -> i1 {{',
             "  %zero = arith.constant 0 : i32"]
    lines += _switch("slot", cases, "  ")
    lines += ["  return %slot_done : i1", "}",
              # for the parser only: the module's own definitions are used
              f'func.func private @"{slot_frame}"(!llvm.ptr, i32) -> !llvm.ptr',
              f'func.func private @"{root_poll}"(!llvm.ptr, !llvm.ptr) -> i1']
    lines += [f'func.func private @"{callee}"(!llvm.ptr, !llvm.ptr) -> i1'
              for callee in sorted(set(task_polls.values()) - {root_poll})]
    table = ir.SymbolTable(table_op)
    old = table[name].operation
    parsed = ir.Module.parse("\n".join(lines), table_op.context)
    new = parsed.body.operations[0].operation.clone()
    ir.InsertionPoint(old).insert(new)
    old.erase()


def _users_in_block(value: ir.Value, block: ir.Block) -> list[ir.Operation] | None:
    """The ops of `block` that use the frame pointer `value`, directly or
    through the addresses computed from it; None when one of those is used
    elsewhere (nested in another op, in another block, by a terminator).
    What the users compute that is not an address may be used anywhere: the
    switch yields it."""
    found, stack = [], [value]
    while stack:
        v = stack.pop()
        for use in v.uses:
            user = use.owner
            user = getattr(user, "operation", user)
            if user.block != block or user.name in TERMINATORS:
                return None
            if user not in found:
                found.append(user)
                stack.extend(r for r in user.results if isinstance(r.type, llvm.PointerType))
    return found


def switch_frame_uses(function: ir.Operation, slot_frame: str, pool: int, stride: int) -> int:
    """In `function`, each call of `slot_frame` at a runtime slot, up to its
    last user in its block, cloned into a case per slot; returns how many."""
    calls = [op for op in walk(function)
             if op.name == "func.call" and flat_symbol(op.attributes["callee"]) == slot_frame
             and constant_of(op.operands[1]) is None]
    done = 0
    for call in calls:
        block = call.block
        users = _users_in_block(call.results[0], block)
        if users is None or pool < 1:
            continue
        ops = [op.operation for op in block.operations]
        start = ops.index(call)
        end = max(ops.index(u) for u in users)
        span = ops[start:end + 1]
        if any(op.name in TERMINATORS for op in span):
            continue
        inside = set(span)
        escaping = [r for op in span for r in op.results
                    if any(getattr(u.owner, "operation", u.owner) not in inside for u in r.uses)]
        loc = call.location
        with loc, ir.InsertionPoint(call):
            index = arith.index_cast(ir.IndexType.get(), call.operands[1])
            switch = scf.IndexSwitchOp([r.type for r in escaping], index, list(range(pool - 1)))
        for slot, body in enumerate(list(switch.case_blocks) + [switch.default_block]):
            with loc, ir.InsertionPoint(body):
                # The frame is the first's plus a constant offset held in the
                # GEP's attribute: cases that differ in an attribute are not
                # merged back into one block (MLIR's block merging would
                # make the offset a block argument again).
                base = func.CallOp([fr.ptr()], ir.FlatSymbolRefAttr.get(slot_frame),
                                   [call.operands[0], arith.constant(fr.i32(), 0)]).result
                mapping = {call.operands[1]: arith.constant(fr.i32(), slot),
                           call.results[0]: fr.gep(base, slot * stride, loc=loc, ip=None)}
                for op in span[1:]:
                    copy = op.clone(ir.InsertionPoint(body))
                    for nested in [copy] + list(walk(copy)):
                        for i, operand in enumerate(nested.operands):
                            if operand in mapping:
                                nested.operands[i] = mapping[operand]
                    for old, new in zip(op.results, copy.results):
                        mapping[old] = new
                scf.YieldOp([mapping[r] for r in escaping])
        for old, new in zip(escaping, switch.results):
            old.replace_all_uses_with(new)
        for op in reversed(span):
            op.erase()
        done += 1
    return done


def static_kinds(function: ir.Operation, root_kind: int, task_kind: int) -> None:
    """In `function` (an executor's copy of gasync_rt_slot_get), a slot's
    kind read from the packed kind words becomes `root_kind` in slot 0 and
    `task_kind` in the others: every task the executor spawns is of that kind."""
    for call in [op for op in walk(function)
                 if op.name == "func.call" and flat_symbol(op.attributes["callee"]) == KIND_GET]:
        with call.location, ir.InsertionPoint(call):
            slot = call.operands[1]
            is_root = arith.cmpi(arith.CmpIPredicate.eq, slot, arith.constant(fr.i32(), 0))
            kind = arith.select(is_root, arith.constant(fr.i32(), root_kind),
                                arith.constant(fr.i32(), task_kind))
        call.results[0].replace_all_uses_with(kind)
        call.erase()
