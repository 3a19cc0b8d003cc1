"""A picture of each async function's state machine, as Graphviz dot.

`gasync-coro-lower` describes each function it lowers (`describe`) from the
same analysis and frame plan its rewrite uses, before the rewrite erases the
suspension points, when the pass context asks for it (`PassContext.
state_machines` is a list). `to_dot` draws the descriptions: per function a
cluster with its states (the start, each suspension point with its source
position and what it waits on, done), an edge for every way a poll may go
from the state it resumes at to the state it stops at, and the frame layout
as a table (offset, size, alignment, what lives there, which items share
bytes), with a dashed edge from each child frame to its function's frame.

`gasync-opt --emit-dot` and `gasync-run --emit dot` print it.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Callable, Sequence

from mlir import ir

from gasync.dialect.diagnostics import UNKNOWN, DiagnosticEngine, Position
from gasync.dialect import types as gt

from . import frame as fr
from .coro_analysis import CoroAnalysis
from .frame_plan import FramePlan, creation_of

FunctionKey = tuple[str, str]
"""An async function's symbol table ("" at the top) and name."""


@dataclasses.dataclass(frozen=True)
class State:
    number: int
    """fr.STATE_START, the k-th suspension point's k, or fr.STATE_DONE."""
    kind: str
    """"start", "await", "join", "yield" or "done"."""
    waits_on: str
    """What a suspension point waits for (the awaited future's function)."""
    where: Position


@dataclasses.dataclass(frozen=True)
class FrameItem:
    what: str
    where: Position
    offset: int
    size: int
    align: int
    child_of: FunctionKey | None = None
    """A child frame: the async function whose frame it is."""


@dataclasses.dataclass(frozen=True)
class StateMachine:
    key: FunctionKey
    where: Position
    size: int
    align: int
    states: tuple[State, ...]
    steps: tuple[tuple[int, int, bool], ...]
    """(resumed at, stopped at, pending): a poll that resumes at the first
    state may next stop at the second (a suspension point, or done); pending:
    an await or a join whose future or task is not ready polls it again."""
    frame: tuple[FrameItem, ...]


def describe(fn: ir.Operation, key: FunctionKey, analysis: CoroAnalysis, plan: FramePlan,
             key_of: Callable[[ir.Operation], FunctionKey],
             diags: DiagnosticEngine) -> StateMachine:
    """The state machine of `fn`, normalised and planned, not yet rewritten."""
    where = diags.resolve
    states = [State(fr.STATE_START, "start", "", where(fn.location))]
    for s in plan.suspensions:
        waits_on = ""
        if s.callee is not None:
            waits_on = f"@{key_of(s.callee)[1]}"
            if s.kind == "join":
                waits_on += f" (task spawned at {where(creation_of(s.op.operands[0]).location)})"
        states.append(State(s.state, s.kind, waits_on, where(s.op.location)))
    states.append(State(fr.STATE_DONE, "done", "", where(fn.location)))
    return StateMachine(key=key, where=where(fn.location), size=plan.layout.size,
                        align=plan.layout.align, states=tuple(states),
                        steps=poll_steps(fn.regions[0], analysis, plan),
                        frame=frame_items(fn, plan, key_of, where))


def poll_steps(body: ir.Region, analysis: CoroAnalysis, plan: FramePlan
               ) -> tuple[tuple[int, int, bool], ...]:
    """Where each poll may stop, from where it resumes. The body is normalised:
    each suspension point starts its block, which branches to the code after
    it. An await or a join resumes by polling again (a pending step to
    itself); every state resumes after its suspension point once it is ready."""
    state_at = {op.block: k for k, op in enumerate(analysis.suspensions, start=1)}

    def stops(start: ir.Block) -> list[int]:
        found, seen, work = [], {start}, [start]
        while work:
            block = work.pop()
            if block in state_at:
                found.append(state_at[block])
                continue
            end = block.operations[len(block.operations) - 1].operation
            if end.name == "func.return":
                found.append(fr.STATE_DONE)
            for succ in end.successors:
                if succ not in seen:
                    seen.add(succ)
                    work.append(succ)
        return sorted(set(found), key=lambda k: (k == fr.STATE_DONE, k))

    steps = [(fr.STATE_START, k, False) for k in stops(body.blocks[0])]
    for s in plan.suspensions:
        if s.kind != "yield":
            steps.append((s.state, s.state, True))
        after = s.op.block.operations[1].operation.successors[0]
        steps += [(s.state, k, False) for k in stops(after)]
    return tuple(steps)


def frame_items(fn: ir.Operation, plan: FramePlan, key_of: Callable[[ir.Operation], FunctionKey],
                where: Callable[[ir.Location], Position]) -> tuple[FrameItem, ...]:
    """Every item of the frame, by offset."""
    items = [FrameItem("state : i32", UNKNOWN, fr.STATE_OFFSET, *fr.slot_layout(fr.i32()))]
    if plan.result_extent is not None:
        fn_type = ir.FunctionType(ir.TypeAttr(fn.attributes["function_type"]).value)
        items.append(FrameItem(f"result : {fn_type.results[0]}", UNKNOWN,
                               plan.layout.result_offset, *plan.result_extent))
    entry = fn.regions[0].blocks[0]
    for v, offset in plan.slots.items():
        owner = v.owner
        if isinstance(owner, ir.Block):
            n = ir.BlockArgument(v).arg_number
            what = f"argument {n}" if owner == entry else f"block argument {n}"
            loc = v.location
        else:
            op = getattr(owner, "operation", owner)
            what = op.name if len(op.results) == 1 else \
                f"{op.name} #{ir.OpResult(v).result_number}"
            loc = op.location
        stored = f"{v.type} (its slot index, i32)" if gt.is_task_type(v.type) else str(v.type)
        items.append(FrameItem(f"{what} : {stored}", where(loc), offset, *plan.extents[v]))
    for v, offset in plan.allocas.items():
        op = creation_of(v)
        items.append(FrameItem(f"{op.name} memory : {v.type}", where(op.location), offset,
                               *plan.extents[v]))
    # a child frame's function is the one its future's awaits name
    awaited = {s.op.operands[0]: s.callee for s in plan.suspensions if s.kind == "await"}
    for v, offset in plan.child_frames.items():
        callee = key_of(awaited[v])
        items.append(FrameItem(f"child frame of @{callee[1]}", where(creation_of(v).location),
                               offset, *plan.extents[v], child_of=callee))
    items.sort(key=lambda i: (i.offset, i.what))
    return tuple(items)


# ---------------------------------------------------------------------------
# Drawing


def sharing(items: Sequence[FrameItem]) -> list[list[int]]:
    """For each item (sorted by offset), the (1-based) numbers of the other
    items whose bytes overlap its own: values or child frames never alive at
    once. Each item is compared with the items that start inside it only."""
    shares: list[list[int]] = [[] for _ in items]
    for i, a in enumerate(items):
        j = i + 1
        while j < len(items) and items[j].offset < a.offset + a.size:
            if items[j].size:
                shares[i].append(j + 1)
                shares[j].append(i + 1)
            j += 1
    return [sorted(s) for s in shares]


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _state_label(s: State) -> str:
    if s.kind == "start":
        return f"state {s.number}: start\n{s.where}"
    if s.kind == "done":
        return f"done (state {s.number})"
    return f"state {s.number}: {s.kind} {s.waits_on}".rstrip() + f"\n{s.where}"


def _frame_table(m: StateMachine) -> str:
    e = html.escape
    rows = [f'<TR><TD COLSPAN="6"><B>frame: {m.size} bytes, align {m.align}</B></TD></TR>',
            "<TR><TD>#</TD><TD>offset</TD><TD>size</TD><TD>align</TD><TD>holds</TD>"
            "<TD>shares bytes with</TD></TR>"]
    for n, (item, shared) in enumerate(zip(m.frame, sharing(m.frame)), start=1):
        port = f' PORT="i{n}"' if item.child_of else ""
        holds = e(item.what) + (f"<BR/>{e(str(item.where))}" if item.where.line else "")
        rows.append(f'<TR><TD{port}>{n}</TD><TD>{item.offset}</TD><TD>{item.size}</TD>'
                    f'<TD>{item.align}</TD><TD ALIGN="LEFT">{holds}</TD>'
                    f'<TD>{", ".join(f"#{k}" for k in shared)}</TD></TR>')
    return "\n".join(['<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0">'] + rows + ["</TABLE>"])


def _title(key: FunctionKey) -> str:
    table, name = key
    return f"async @{name}" + (f" in @{table}" if table else "")


def to_dot(machines: Sequence[StateMachine]) -> str:
    ids = [f"m{n}" for n in range(len(machines))]
    id_of = {m.key: p for m, p in zip(machines, ids)}  # of the function a child frame holds
    lines = ['digraph "gasync state machines" {',
             '  node [fontname="Helvetica", fontsize=10];',
             '  edge [fontname="Helvetica", fontsize=9];']
    for m, p in zip(machines, ids):

        def node(state: int) -> str:
            return _quoted(f"{p}_done" if state == fr.STATE_DONE else f"{p}_s{state}")

        lines.append(f"  subgraph {_quoted('cluster_' + p)} {{")
        lines.append(f"    label={_quoted(f'{_title(m.key)} ({m.where})')};")
        for s in m.states:
            shape = {"start": "ellipse", "done": "doublecircle"}.get(s.kind, "box")
            lines.append(f"    {node(s.number)} [shape={shape}, label={_quoted(_state_label(s))}];")
        for resumed, stopped, pending in m.steps:
            label = ' [label="pending", style=dotted]' if pending else ""
            lines.append(f"    {node(resumed)} -> {node(stopped)}{label};")
        lines.append(f"    {_quoted(p + '_frame')} [shape=plain, label=<{_frame_table(m)}>];")
        lines.append("  }")
    for m, p in zip(machines, ids):
        for n, item in enumerate(m.frame, start=1):
            if item.child_of in id_of:
                lines.append(f"  {_quoted(p + '_frame')}:i{n} -> "
                             f"{_quoted(id_of[item.child_of] + '_frame')} "
                             '[style=dashed, label="embeds"];')
    lines.append("}")
    return "\n".join(lines) + "\n"
