"""The frame plan of one async function: where everything lives, decided once.

Built from a `CoroAnalysis` (passes/coro_analysis.py) and read by the rewrite
in passes/coro_lower.py; it is frozen. The frame, in order (offsets grow
downwards, each region aligned to its most aligned member):

    +--------------------------------+ 0
    | state (i32)                    |
    | result slot                    |
    | argument slots                 |
    | saved-value slots  (packed)    |  values never live at once share bytes
    | frame allocas                  |  allocas whose memory outlives a poll
    | child frames       (packed)    |  futures never alive at once share bytes
    +--------------------------------+ size (a multiple of align)

Saved values and child frames are packed by one interference packer (`pack`)
that replays the analysis's conflict scan: first fit, at the lowest aligned
offset no conflicting item holds.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Mapping

from mlir import ir

from gasync.dialect import types as gt
from gasync.dialect.catalogue import CALLEE
from gasync.dialect.ir_utils import SymbolIndex, flat_symbol

from . import executor
from . import frame as fr
from .coro_analysis import LoweringError, ConflictScan, CoroAnalysis


@dataclasses.dataclass(frozen=True)
class Suspension:
    """A suspension point and what resuming it needs."""

    op: ir.Operation
    state: int
    """The state the poll resumes at: the k-th suspension point has state k."""
    kind: str
    """"yield", "await" (a future's frame embedded here) or "join" (a task)."""
    callee: ir.Operation | None
    """The awaited or joined async function."""
    child_offset: int
    """await: where the child frame is in this frame (-1 otherwise)."""
    result_offset: int
    """await and join: where the result is in the child's or the task's frame."""


@dataclasses.dataclass(frozen=True)
class FramePlan:
    layout: fr.FrameLayout
    argument_offsets: tuple[int, ...]
    slots: Mapping[ir.Value, int]
    """Saved values (the entry block's arguments included) -> offset."""
    child_frames: Mapping[ir.Value, int]
    """Awaited futures -> offset of their frame."""
    allocas: Mapping[ir.Value, int]
    """Frame allocas (their result) -> offset of their memory."""
    suspensions: tuple[Suspension, ...]
    uses_executor: bool
    """Spawns or joins tasks, itself or through an awaited future."""
    bytes_shared: Mapping[str, int]
    """Bytes saved by packing, per packed region ("saved-value", "child frame")."""
    extents: Mapping[ir.Value, tuple[int, int]]
    """(size, alignment) of the storage of every key of `slots`, `allocas` and
    `child_frames`."""
    result_extent: tuple[int, int] | None
    """(size, alignment) of the result slot; None without a result."""


class Callees:
    """The callee of a future creation, looked up in one symbol index for the
    whole pass run. Functions the pass adds later are not in it; callees
    exist before it runs."""

    def __init__(self):
        self._symbols = SymbolIndex()

    def of(self, op: ir.Operation) -> ir.Operation:
        callee = self._symbols.lookup(op, flat_symbol(op.attributes[CALLEE]))
        if callee is None:
            raise AssertionError("the verifier checks callees")
        return callee


def frame_layout_of(fn: ir.Operation) -> fr.FrameLayout:
    return fr.FrameLayout.from_attribute(fn.attributes[fr.FRAME_ATTR])


def creation_of(value: ir.Value) -> ir.Operation:
    owner = value.owner
    return getattr(owner, "operation", owner)


class _Frame:
    """The frame's end and alignment while the plan is built."""

    def __init__(self):
        self.size, self.align = fr.FrameLayout.size, fr.FrameLayout.align

    def allocate(self, size: int, align: int) -> int:
        offset = fr.align_up(self.size, align)
        self.size = offset + size
        self.align = max(self.align, align)
        return offset


def plan_frame(fn: ir.Operation, analysis: CoroAnalysis, callees: Callees) -> FramePlan:
    name = ir.StringAttr(fn.attributes["sym_name"]).value
    fn_type = ir.FunctionType(ir.TypeAttr(fn.attributes["function_type"]).value)
    entry = fn.regions[0].blocks[0]
    frame = _Frame()
    try:
        result_extent = fr.slot_layout(fn_type.results[0]) if len(fn_type.results) else None
        result_offset = frame.allocate(*result_extent) if result_extent else -1
        extents = {a: fr.slot_layout(a.type) for a in entry.arguments}
        argument_offsets = tuple(frame.allocate(*extents[a]) for a in entry.arguments)
        slots = dict(zip(entry.arguments, argument_offsets))
        saved = [v for v in analysis.saved if v not in slots]
        sizes = {v: fr.slot_layout(fr.i32() if gt.is_task_type(v.type) else v.type)
                 for v in saved}
    except fr.UnsupportedType as e:
        raise LoweringError(fn.location, f"async function '@{name}' keeps a value of type "
                            f"'{e}' across a suspension point: not supported in frames")
    shared = {}
    slots.update(allocate_packed(frame, sizes, analysis.conflicts, shared, "saved-value"))
    extents.update(sizes)
    extents.update({op.results[0]: alloca_layout(op) for op in analysis.frame_allocas})
    allocas = {op.results[0]: frame.allocate(*extents[op.results[0]])
               for op in analysis.frame_allocas}
    children = {f.results[0]: frame_layout_of(callees.of(f))
                for f in analysis.awaited_futures}
    extents.update({f: (c.size, c.align) for f, c in children.items()})
    child_frames = allocate_packed(frame, {f: extents[f] for f in children},
                                   analysis.conflicts, shared, "child frame")
    suspensions = tuple(plan_suspension(op, k, child_frames, callees)
                        for k, op in enumerate(analysis.suspensions, start=1))
    uses_executor = bool(analysis.spawns) or any(
        s.kind == "join" or (s.callee is not None and executor.USES_EXECUTOR in s.callee.attributes)
        for s in suspensions)
    align = frame.align
    layout = fr.FrameLayout(size=fr.align_up(frame.size, align), align=align,
                            result_offset=result_offset, states=len(suspensions) + 1)
    return FramePlan(layout=layout, argument_offsets=argument_offsets, slots=slots,
                     child_frames=child_frames, allocas=allocas, suspensions=suspensions,
                     uses_executor=uses_executor, bytes_shared=shared, extents=extents,
                     result_extent=result_extent)


def plan_suspension(op: ir.Operation, state: int, child_frames, callees: Callees
                    ) -> Suspension:
    if op.name == "gasync.yield":
        return Suspension(op, state, "yield", None, -1, -1)
    awaited = op.operands[0]
    if gt.is_task_type(awaited.type):
        spawn = creation_of(awaited)
        callee = callees.of(creation_of(spawn.operands[0]))
        return Suspension(op, state, "join", callee, -1, frame_layout_of(callee).result_offset)
    callee = callees.of(creation_of(awaited))
    return Suspension(op, state, "await", callee, child_frames[awaited],
                      frame_layout_of(callee).result_offset)


def alloca_layout(op: ir.Operation) -> tuple[int, int]:
    """(size, alignment) of an alloca's memory, as LLVM would lay it out."""
    requested = ir.IntegerAttr(op.attributes["alignment"]).value \
        if "alignment" in op.attributes else 1
    try:
        if op.name == "llvm.alloca":
            size, align = fr.memory_layout(ir.TypeAttr(op.attributes["elem_type"]).value)
            count = ir.IntegerAttr(creation_of(op.operands[0]).attributes["value"]).value
            if op.results[0].type != fr.ptr():  # another address space than the frame's
                raise fr.UnsupportedType(str(op.results[0].type))
            return size * count, max(align, requested)
        t = ir.MemRefType(op.results[0].type)
        if t.memory_space is not None or not isinstance(t.layout, ir.AffineMapAttr) or \
                t.layout.value != ir.AffineMap.get_identity(t.rank):
            raise fr.UnsupportedType(str(t))
        size, align = fr.memory_layout(t.element_type)
        for extent in t.shape:
            size *= extent
        return size, max(align, requested)
    except fr.UnsupportedType as e:
        raise LoweringError(op.location, f"'{op.name}' of type '{e}' whose memory is used after "
                            "a suspension point: not supported in frames")


def allocate_packed(frame: _Frame, sizes: dict[ir.Value, tuple[int, int]], scan: ConflictScan,
                    shared: dict[str, int], what: str) -> dict[ir.Value, int]:
    """Pack `sizes` (item -> size, alignment) into one new region of the frame;
    returns item -> offset in the frame."""
    if not sizes:
        return {}
    offsets = pack(sizes, scan)
    end = max(offsets[v] + sizes[v][0] for v in sizes)
    base = frame.allocate(end, max(a for _, a in sizes.values()))
    shared[what] = sum(s for s, _ in sizes.values()) - end
    return {v: base + offsets[v] for v in sizes}


def pack(sizes: dict[ir.Value, tuple[int, int]], scan: ConflictScan) -> dict[ir.Value, int]:
    """Offsets from 0 for `sizes`' items such that items live at the same time
    never overlap: each item, where the scan defines it, takes the lowest
    offset (a multiple of its alignment) that no live item holds."""
    offsets: dict[ir.Value, int] = {}
    for block in scan.blocks:
        held = _Occupancy([(offsets[v], offsets[v] + sizes[v][0])
                           for v in block.live_in if v in offsets])
        for defined, v in block.events:
            if v not in sizes:
                continue
            size, align = sizes[v]
            if defined:
                offsets[v] = held.first_fit(size, align)
                held.add(offsets[v], offsets[v] + size)
            elif v in offsets:
                held.remove(offsets[v], offsets[v] + size)
    return offsets


class _Occupancy:
    """The bytes held by live items, as maximal runs [start, end) in a sorted
    list (items live at once never overlap): first fit costs a binary search
    plus one step per run too close to the candidate offset."""

    def __init__(self, intervals: list[tuple[int, int]]):
        self.starts: list[int] = []
        self.end_of: dict[int, int] = {}
        for start, end in sorted(intervals):
            self.add(start, end)

    def first_fit(self, size: int, align: int) -> int:
        offset = 0
        while True:
            offset = fr.align_up(offset, align)
            k = bisect.bisect_right(self.starts, offset) - 1
            if k >= 0 and self.end_of[self.starts[k]] > offset:
                offset = self.end_of[self.starts[k]]  # inside a run
            elif k + 1 < len(self.starts) and self.starts[k + 1] < offset + size:
                offset = self.end_of[self.starts[k + 1]]  # the next run is too close
            else:
                return offset

    def add(self, start: int, end: int) -> None:
        k = bisect.bisect_left(self.starts, start)
        if k < len(self.starts) and self.starts[k] == end:  # joins the next run
            end = self.end_of.pop(self.starts.pop(k))
        if k > 0 and self.end_of[self.starts[k - 1]] == start:  # extends the previous run
            self.end_of[self.starts[k - 1]] = end
        else:
            self.starts.insert(k, start)
            self.end_of[start] = end

    def remove(self, start: int, end: int) -> None:
        k = bisect.bisect_right(self.starts, start) - 1
        run_start = self.starts[k]
        run_end = self.end_of.pop(run_start)
        del self.starts[k]
        if run_start < start:
            self.starts.insert(k, run_start)
            self.end_of[run_start] = start
            k += 1
        if end < run_end:
            self.starts.insert(k, end)
            self.end_of[end] = run_end
