"""gasync-fault-sites: give the executor's faults the source sites they name.

Runs after gasync-coro-lower, on every symbol table with an executor (a
`@gasync_rt_dispatch`). It appends to the site table (passes/site_table.py):

- each spawn: the runtime calls `gasync_rt_spawn(exec, kind)` become
  `gasync_rt_spawn_at(exec, kind, site)` (a pool overflow or a divergence
  names the spawn);
- each scoped await: `gasync_rt_await_ready(exec, ready)` becomes
  `gasync_rt_await_ready_at(exec, ready, site)` (a divergence names it);
- each task kind's start and suspension points (the states its poll
  function stores in its frame's state word, at the await's or yield's
  location), and replaces the runtime's `gasync_rt_task_site(kind, state)`
  with the map from a task's kind and state to its site (a watchdog names
  where the task it polls is suspended).

The site is a constant argument: naming the source costs the run nothing
until a fault.
"""

from __future__ import annotations

import dataclasses

from mlir import ir
from mlir.dialects import arith, func

from gasync.dialect.ir_utils import flat_symbol, walk

from . import executor
from . import frame as fr
from .base import ModulePass, PassContext, register
from .site_table import FUNCTION_OPS, SiteTable, source_function

SITED_CALLS = {executor.SPAWN: executor.SPAWN_AT, executor.AWAIT_READY: executor.AWAIT_READY_AT}
"""Runtime entry points whose faults name their caller's site -> the variant
taking the site as an extra last argument."""


@dataclasses.dataclass(frozen=True)
class Suspension:
    state: int
    what: str
    loc: ir.Location


def constant_value(value: ir.Value) -> int | None:
    owner = value.owner
    owner = getattr(owner, "operation", owner)
    if isinstance(owner, ir.Operation) and owner.name == "arith.constant":
        return ir.IntegerAttr(owner.attributes["value"]).value
    return None


def callee_of_call(value: ir.Value) -> ir.Operation | None:
    owner = value.owner
    owner = getattr(owner, "operation", owner)
    if isinstance(owner, ir.Operation) and owner.name == "func.call":
        return owner
    return None


def suspension_what(block: ir.Block) -> str:
    """What suspends in `block` (the one that stores the state): an await
    when it is reached from a false readiness test, else a yield."""
    preds = list(block.predecessors)
    if len(preds) != 1:
        return "the yield"
    term = list(preds[0].operations)[-1].operation
    if term.name != "cf.cond_br":
        return "the yield"
    call = callee_of_call(term.operands[0])
    while call is not None:
        name = flat_symbol(call.attributes["callee"])
        if name == executor.JOIN:
            return "the await of a task"
        suffix = fr.poll_name("")
        if name.endswith(suffix):
            return f"the await of '@{name[:-len(suffix)]}'"
        if name not in (executor.AWAIT_READY, executor.AWAIT_READY_AT):
            break
        call = callee_of_call(call.operands[1])  # the lane's readiness
    return "the await"


def suspensions(poll: ir.Operation) -> list[Suspension]:
    """The states a poll function suspends in: its stores of a constant
    state k >= 1 into its frame's state word (passes/frame.py's
    store_state), in state order."""
    frame = poll.regions[0].blocks[0].arguments[0]
    found = {}
    for op in walk(poll):
        if op.name != "llvm.store" or op.operands[1] != frame:
            continue
        state = constant_value(op.operands[0])
        if state is not None and state >= 1 and state not in found:
            found[state] = Suspension(state, suspension_what(op.block), op.location)
    return [found[k] for k in sorted(found)]


def task_site_function(bases: list[tuple[int, int]]) -> str:
    """`gasync_rt_task_site(kind, state)`: kind i's sites are bases[i][0] (its
    start) and bases[i][0] + k for its suspension states k = 1..bases[i][1]."""
    lines = [f"func.func private @{executor.TASK_SITE}(%kind: i32, %state: i32) -> i32 {{",
             "  %c0 = arith.constant 0 : i32",
             "  %b0 = arith.constant -1 : i32",
             "  %n0 = arith.constant 0 : i32"]
    for i, (base, count) in enumerate(bases):
        lines += [f"  %k{i} = arith.constant {i} : i32",
                  f"  %is{i} = arith.cmpi eq, %kind, %k{i} : i32",
                  f"  %bc{i} = arith.constant {base} : i32",
                  f"  %nc{i} = arith.constant {count} : i32",
                  f"  %b{i + 1} = arith.select %is{i}, %bc{i}, %b{i} : i32",
                  f"  %n{i + 1} = arith.select %is{i}, %nc{i}, %n{i} : i32"]
    n = len(bases)
    lines += ["  %started = arith.cmpi sgt, %state, %c0 : i32",
              f"  %known = arith.cmpi sle, %state, %n{n} : i32",
              "  %in = arith.andi %started, %known : i1",
              "  %k = arith.select %in, %state, %c0 : i32",
              f"  %site = arith.addi %b{n}, %k : i32",
              "  return %site : i32", "}"]
    return "\n".join(lines)


@register
@dataclasses.dataclass(frozen=True)
class FaultSitesPass(ModulePass):
    name = "gasync-fault-sites"
    summary = ("give executor faults their source sites: spawns, awaits, and where each task "
               "is suspended")

    def apply(self, module: ir.Operation, ctx: PassContext) -> None:
        sites = SiteTable(module, ctx.diags.source_name)
        tables = [module] + [op for op in walk(module) if op.name == "gpu.module"]
        for table_op in tables:
            table = ir.SymbolTable(table_op)
            if executor.DISPATCH not in table:
                continue
            kinds = executor.task_kinds(table_op)
            bases = []
            for name in kinds:
                poll = table[fr.poll_name(name)].operation
                base = sites.add("the start of the task", name, poll.location)
                points = suspensions(poll)
                for point in points:
                    sites.add(point.what, name, point.loc)
                bases.append((base, len(points)))
            self.set_task_sites(table_op, bases)
            functions = [op.operation for op in table_op.regions[0].blocks[0].operations
                         if op.operation.name in FUNCTION_OPS]
            calls = [op for fn in functions for op in walk(fn)
                     if op.name == "func.call" and flat_symbol(op.attributes["callee"]) in SITED_CALLS]
            for call in calls:
                self.add_site(call, kinds, sites)
        sites.write()
        ctx.stat(self.name, "sites", len(sites.sites))

    @staticmethod
    def add_site(call: ir.Operation, kinds: list[str], sites: SiteTable) -> None:
        name = flat_symbol(call.attributes["callee"])
        if name == executor.SPAWN:
            kind = constant_value(call.operands[1])
            what = f"the spawn of '@{kinds[kind]}'" if kind is not None else "the spawn"
        else:
            what = "the await"
        site = sites.add(what, source_function(call), call.location)
        with call.location, ir.InsertionPoint(call):
            sited = func.CallOp([r.type for r in call.results],
                                ir.FlatSymbolRefAttr.get(SITED_CALLS[name]),
                                list(call.operands) + [arith.constant(fr.i32(), site)])
        for old, new in zip(call.results, sited.results):
            old.replace_all_uses_with(new)
        call.erase()

    @staticmethod
    def set_task_sites(table_op: ir.Operation, bases: list[tuple[int, int]]) -> None:
        table = ir.SymbolTable(table_op)
        old = table[executor.TASK_SITE].operation
        parsed = ir.Module.parse(task_site_function(bases), table_op.context)
        new = parsed.body.operations[0].operation.clone()
        ir.InsertionPoint(old).insert(new)
        old.erase()
