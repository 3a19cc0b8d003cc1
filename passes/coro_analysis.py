"""What the coroutine lowering needs to know of one async function, as data.

Run on a function body that `gasync-coro-lower` has normalised (a CFG after
scf-to-cf, each suspension point alone in its block before a `cf.br`, each
spawned future created right before its spawn). `analyse` returns:

- the suspension points, in the order their resume states are numbered;
- the values live across a suspension point, which the frame must keep;
- the futures awaited in place (their frames are embedded in this one);
- the allocas whose memory must outlive a poll (they move into the frame);
- the storage conflicts between frame items, as a scan of the function in
  dominance order (see `ConflictScan`).

The shape follows rustc's coroutine transform (liveness, then storage
conflicts, then a layout, then the rewrite); the layout is passes/frame_plan.py.
"""

from __future__ import annotations

import dataclasses

from mlir import ir

from gasync.dialect import types as gt

from .liveness import Liveness

SUSPENSION_OPS = ("gasync.await", "gasync.yield")
# Ops with no operands and no regions that are cheaper to recompute than to
# save: they move to the poll function's entry and dominate every state.
CONSTANT_OPS = ("arith.constant", "llvm.mlir.constant", "llvm.mlir.zero", "llvm.mlir.addressof",
                "ub.poison", "memref.get_global")
ALLOCA_OPS = ("memref.alloca", "llvm.alloca")
# Uses of an alloca's memory that neither keep its address nor hand it on:
# op name -> the operand positions that may be the address.
MEMORY_ACCESSES = {
    "memref.load": (0,), "memref.store": (1,), "memref.dim": (0,), "memref.copy": (0, 1),
    "vector.load": (0,), "vector.store": (1,), "vector.transfer_read": (0,),
    "vector.transfer_write": (1,), "llvm.load": (0,), "llvm.store": (1,),
}
# Ops whose result is a view of their first operand's memory.
VIEW_OPS = ("memref.subview", "memref.cast", "memref.reinterpret_cast", "memref.expand_shape",
            "memref.collapse_shape", "memref.view", "llvm.getelementptr")


class LoweringError(Exception):
    """A located reason why an async function cannot be lowered."""

    def __init__(self, loc: ir.Location, message: str):
        super().__init__(message)
        self.loc = loc


@dataclasses.dataclass(frozen=True)
class ScannedBlock:
    """One block of the scan: the values live at its start, then in program
    order (defined, value) events: a definition, or a death (the last use)."""

    live_in: tuple[ir.Value, ...]
    events: tuple[tuple[bool, ir.Value], ...]


@dataclasses.dataclass(frozen=True)
class ConflictScan:
    """Storage conflicts between frame items, without the quadratic matrix.

    In SSA two values interfere exactly when one is live where the other is
    defined; the blocks are in an order where each block follows its
    dominators, so every value live at a definition was defined (and placed)
    before it. A packer that replays the scan, holding the storage of the
    values live at each point, sees exactly the conflicts of each value when
    it places it. Only values that may be frame items appear."""

    blocks: tuple[ScannedBlock, ...]


@dataclasses.dataclass(frozen=True)
class CoroAnalysis:
    suspensions: tuple[ir.Operation, ...]
    """Suspension points; the k-th (from 1) resumes at state k."""
    constants: tuple[ir.Operation, ...]
    saved: tuple[ir.Value, ...]
    """Values live across a suspension point, in definition order (frame
    allocas excluded: their address is recomputed from the frame)."""
    awaited_futures: tuple[ir.Operation, ...]
    """Future creations with a child frame here (awaited in place)."""
    inline_futures: tuple[ir.Operation, ...]
    """Future creations lowered in place: the awaited ones and those never
    consumed (they run nothing)."""
    spawns: tuple[ir.Operation, ...]
    frame_allocas: tuple[ir.Operation, ...]
    """Allocas whose memory may be used after a suspension point."""
    conflicts: ConflictScan


def analyse(body: ir.Region) -> CoroAnalysis:
    ops = [op.operation for block in body.blocks for op in block.operations]
    suspensions = tuple(op for op in ops if op.name in SUSPENSION_OPS)
    constants = tuple(op for op in ops if op.name in CONSTANT_OPS)
    liveness = Liveness(body)
    across = live_across(suspensions, liveness, {c.results[0] for c in constants})
    frame_allocas = tuple(op for op in ops if op.name in ALLOCA_OPS and suspensions and
                          outlives_poll(op, across))
    for op in frame_allocas:
        if len(op.operands) and (op.name == "memref.alloca" or
                                 not is_constant(op.operands[0])):
            raise LoweringError(op.location, f"'{op.name}' of a dynamic size whose memory is used "
                                "after a suspension point: not supported (the frame has a "
                                "static size)")
    across -= {op.results[0] for op in frame_allocas}
    futures = [op for op in ops if op.name == "gasync.future"]
    inline = tuple(f for f in futures
                   if not any(u.owner.name == "gasync.spawn" for u in f.results[0].uses))
    awaited = tuple(f for f in inline if len(list(f.results[0].uses)))
    items = across | {f.results[0] for f in awaited}
    return CoroAnalysis(
        suspensions=suspensions, constants=constants,
        saved=tuple(sorted(across, key=definition_order(body).__getitem__)),
        awaited_futures=awaited, inline_futures=inline,
        spawns=tuple(op for op in ops if op.name == "gasync.spawn"),
        frame_allocas=frame_allocas, conflicts=conflict_scan(body, liveness, items))


def live_across(suspensions, liveness: Liveness, constants: set[ir.Value]) -> set[ir.Value]:
    saved = set()
    for op in suspensions:
        # Resuming re-runs the suspension op itself (re-poll, re-join): its
        # operands are live there too.
        results = set(op.results)
        for v in list(liveness.live_after(op)) + list(op.operands):
            if v not in constants and v not in results and not gt.is_future_type(v.type):
                saved.add(v)
    return saved


def definition_order(body: ir.Region) -> dict[ir.Value, int]:
    """Block arguments and results in textual order: the frame layout and the
    rewrite's output must be the same on every run (sets iterate in pointer
    order)."""
    position = {}
    for block in body.blocks:
        for arg in block.arguments:
            position[arg] = len(position)
        for op in block.operations:
            for result in op.operation.results:
                position[result] = len(position)
    return position


def is_constant(v: ir.Value) -> bool:
    owner = v.owner
    return isinstance(owner, ir.OpView | ir.Operation) and owner.name in CONSTANT_OPS


def outlives_poll(alloca: ir.Operation, across: set[ir.Value]) -> bool:
    """Whether an alloca's memory may be used after a suspension point: its
    address (or a view of it) is live across one, or it escapes (stored,
    passed to a call or a future, branched on): then it must live in the frame,
    as a Rust local held across an await lives in the generator."""
    work, seen = [alloca.results[0]], set()
    while work:
        v = work.pop()
        if v in seen:
            continue
        seen.add(v)
        if v in across:
            return True
        for use in v.uses:
            user = use.owner
            if use.operand_number in MEMORY_ACCESSES.get(user.name, ()):
                continue
            if user.name in VIEW_OPS and use.operand_number == 0:
                work.extend(user.results)
                continue
            return True
    return False


def conflict_scan(body: ir.Region, liveness: Liveness, items: set[ir.Value]) -> ConflictScan:
    blocks = []
    for block in dominance_order(body):
        events: list[tuple[bool, ir.Value]] = [(True, a) for a in block.arguments if a in items]
        deaths = liveness.deaths(block)
        deferred: list[tuple[bool, ir.Value]] = []
        for op in liveness.ops[block]:
            dead = [(False, v) for v in deaths.get(op, ()) if v in items]
            if op.name == "gasync.future" and any(u.owner.name == "gasync.spawn"
                                                  for u in op.results[0].uses):
                # The task's init reads the future's arguments after the spawn
                # has defined the task handle: they die after the spawn.
                deferred = dead
                continue
            if op.name != "gasync.spawn":
                events += dead
            events += [(True, r) for r in op.results if r in items]
            if op.name == "gasync.spawn":
                events += dead + deferred
                deferred = []
        blocks.append(ScannedBlock(
            live_in=tuple(v for v in liveness.live_in[block] if v in items),
            events=tuple(events)))
    return ConflictScan(tuple(blocks))


def dominance_order(body: ir.Region) -> list[ir.Block]:
    """Reverse postorder from the entry (each block after its dominators), then
    unreachable blocks in textual order."""
    entry = body.blocks[0]
    postorder, seen = [], {entry}
    stack = [(entry, iter(list(entry.successors)))]
    while stack:
        block, successors = stack[-1]
        for succ in successors:
            if succ not in seen:
                seen.add(succ)
                stack.append((succ, iter(list(succ.successors))))
                break
        else:
            stack.pop()
            postorder.append(block)
    order = postorder[::-1]
    return order + [b for b in body.blocks if b not in seen]
