"""A seeded random generator of valid gasync programs.

A program is a small Python AST (the dataclasses below) that prints as MLIR
text (`emit`) and that `interp` runs directly. Programs are valid by
construction (the dialect's rules, docs/design.md):

- async functions `@f0 .. @fN` only create futures of functions later in
  that order, so there is no cycle;
- every future is created and consumed (await, then, spawn or block_on) in
  the same block, or created just before an `scf.if` and awaited in both of
  its branches: each future is consumed exactly once;
- spawn is used only for functions that cannot touch the shared state, so
  the result does not depend on the executor's scheduling order.

Order of execution is observable: a function may take the program's state
cell (a `memref<1xi32>`, always its last parameter) and fold values into it
(`Trace`: h = h * P + v) or read it (`Peek`); the host entry returns a mix
of its results and the final state. Since creating a future runs nothing,
an implementation that runs a future early, late or twice gives a
different answer.

With `Config.events`, every function also takes the program's event log
(`log`, a `memref<?xi32>`: word 0 counts the events, then (site, value)
pairs) and may append to it (`Event`), spawned tasks too: the log records
the interleaving of the tasks, which `interp` predicts with asyncio's FIFO
order (test/difftest/gpu.py compares it on the GPU).

Every loop is self-contained (its trip count is at most 4 and is computed
inside the loop statement), and division and shifts carry their guards
inside the statement, so `minimise` may replace any statement by constants
without making a program that divides by zero or does not terminate.
"""

from __future__ import annotations

import copy
import dataclasses
import random
from dataclasses import dataclass, field
from typing import Iterator

# ---------------------------------------------------------------------------
# Types: 'i1', 'i32', 'i64', 'index', 'st' (the state cell, memref<1xi32>),
# 'log' (the event log, memref<?xi32>),
# 'fut<T>' and 'task<T>' with T one of i1/i32/i64/none.

INT_TYPES = ("i1", "i32", "i64")
WIDTH = {"i1": 1, "i32": 32, "i64": 64, "index": 64}
STATE_MULT = 0x01000193  # the FNV prime: h = h * P + v (mod 2^32)
DIV_MASK = 0x7FFF        # a divisor is (rhs & DIV_MASK) | 1: positive, non-zero
LOG_EVENTS = 128         # the event log's capacity: later events are counted, not stored
TASK_LIMIT = 12          # spawned tasks alive at once (the executor's default pool is 16)


def fut(t: str | None) -> str:
    return f"fut<{t or 'none'}>"


def task(t: str | None) -> str:
    return f"task<{t or 'none'}>"


def handle_value(t: str) -> str | None:
    inner = t[t.index("<") + 1:-1]
    return None if inner == "none" else inner


def is_handle(t: str) -> bool:
    return t.startswith("fut<") or t.startswith("task<")


def mlir_type(t: str | None) -> str:
    if t is None:
        return "none"
    if t == "st":
        return "memref<1xi32>"
    if t == "log":
        return "memref<?xi32>"
    if is_handle(t):
        kind = t[:t.index("<")]
        return f"!gasync.{kind}<{handle_value(t) or 'none'}>"
    return t


# ---------------------------------------------------------------------------
# The AST


@dataclass(frozen=True)
class Var:
    name: str
    ty: str


@dataclass
class Const:
    dst: Var
    value: int  # unsigned representation for integers; index: signed


@dataclass
class BinOp:
    dst: Var
    op: str  # addi subi muli andi ori xori shli shrui shrsi divsi divui remsi remui maxsi ...
    lhs: Var
    rhs: Var


@dataclass
class Cmp:
    dst: Var
    pred: str
    lhs: Var
    rhs: Var


@dataclass
class Select:
    dst: Var
    cond: Var
    a: Var
    b: Var


@dataclass
class Cast:
    dst: Var
    op: str  # extsi extui trunci index_cast
    src: Var


@dataclass
class Trace:
    st: Var
    val: Var  # i32


@dataclass
class Peek:
    dst: Var  # i32
    st: Var


@dataclass
class Event:
    """Append (site, val) to the event log: word 0 counts, then the pairs
    (at most LOG_EVENTS of them; later events are only counted)."""
    log: Var
    site: int
    val: Var  # i32


@dataclass
class FutureCall:
    dst: Var
    callee: str
    args: list[Var]


@dataclass
class Ready:
    dst: Var
    val: Var | None


@dataclass
class Then:
    dst: Var
    src: Var
    callee: str
    extras: list[Var]


@dataclass
class AsyncBlock:
    dst: Var
    body: list
    ret: Var | None


@dataclass
class Spawn:
    dst: Var
    src: Var


@dataclass
class Await:
    dst: Var | None
    src: Var


@dataclass
class Yield:
    pass


@dataclass
class BlockOn:
    dst: Var | None
    src: Var
    pool: int | None = None  # the executor's task slots (None: block_on's default)


@dataclass
class If:
    results: list[Var]
    cond: Var
    then_body: list
    then_yield: list[Var]
    else_body: list
    else_yield: list[Var]


@dataclass
class For:
    """for iv = lb to ub step s, ub = ub_const, or (ub_src & 3) when ub_src is set."""
    results: list[Var]
    lb: int
    ub: int
    ub_src: Var | None
    step: int
    iv: Var
    iters: list[Var]
    inits: list[Var]
    body: list
    yields: list[Var]


@dataclass
class While:
    """A counted scf.while: the counter starts at 0, runs while counter < (lim_src & 3).

    before(bcount, bargs...): before_body; condition(bcount < lim) bcount, cargs...
    do(acount, aargs...): after_body; yield acount + 1, yields...
    results: (rcount, results...)
    """
    rcount: Var
    results: list[Var]
    lim_src: Var
    inits: list[Var]
    bcount: Var
    bargs: list[Var]
    before: list
    cargs: list[Var]
    acount: Var
    aargs: list[Var]
    after: list
    yields: list[Var]


@dataclass
class AllocState:
    dst: Var
    init: Var  # i32


@dataclass
class Func:
    name: str
    params: list[Var]
    ret: str | None
    body: list
    retval: Var | None
    is_async: bool = True

    @property
    def has_state(self) -> bool:
        return bool(self.params) and self.params[-1].ty == "st"


@dataclass
class Program:
    seed: int
    funcs: list[Func]  # async functions, then the host entry last
    args: tuple[int, int]  # the entry's (a, b), as signed i32
    entry: str = "main"

    def func(self, name: str) -> Func:
        for f in self.funcs:
            if f.name == name:
                return f
        raise KeyError(name)


# ---------------------------------------------------------------------------
# Walking the AST


def child_bodies(s) -> list[list]:
    if isinstance(s, If):
        return [s.then_body, s.else_body]
    if isinstance(s, For):
        return [s.body]
    if isinstance(s, While):
        return [s.before, s.after]
    if isinstance(s, AsyncBlock):
        return [s.body]
    return []


def defs(s) -> list[Var]:
    if isinstance(s, If):
        return list(s.results)
    if isinstance(s, For):
        return list(s.results)
    if isinstance(s, While):
        return [s.rcount] + list(s.results)
    if isinstance(s, (Trace, Yield, Event)):
        return []
    d = getattr(s, "dst", None)
    return [d] if d is not None else []


def uses(s) -> list[Var]:
    """The values a statement reads directly (not those its nested bodies read)."""
    if isinstance(s, (Const, Yield, AsyncBlock)):
        return []
    if isinstance(s, BinOp) or isinstance(s, Cmp):
        return [s.lhs, s.rhs]
    if isinstance(s, Select):
        return [s.cond, s.a, s.b]
    if isinstance(s, Cast):
        return [s.src]
    if isinstance(s, Trace):
        return [s.st, s.val]
    if isinstance(s, Event):
        return [s.log, s.val]
    if isinstance(s, Peek):
        return [s.st]
    if isinstance(s, FutureCall):
        return list(s.args)
    if isinstance(s, Ready):
        return [s.val] if s.val is not None else []
    if isinstance(s, Then):
        return [s.src] + list(s.extras)
    if isinstance(s, (Spawn, Await, BlockOn)):
        return [s.src]
    if isinstance(s, If):
        return [s.cond] + list(s.then_yield) + list(s.else_yield)
    if isinstance(s, For):
        return ([s.ub_src] if s.ub_src else []) + list(s.inits) + list(s.yields)
    if isinstance(s, While):
        return [s.lim_src] + list(s.inits) + list(s.cargs) + list(s.yields)
    if isinstance(s, AllocState):
        return [s.init]
    raise TypeError(s)


def all_uses(body: list) -> Iterator[Var]:
    for s in body:
        yield from uses(s)
        if isinstance(s, AsyncBlock) and s.ret is not None:
            yield s.ret
        for b in child_bodies(s):
            yield from all_uses(b)


def all_stmts(body: list) -> Iterator[object]:
    for s in body:
        yield s
        for b in child_bodies(s):
            yield from all_stmts(b)


def callees_of(body: list) -> set[str]:
    out = set()
    for s in all_stmts(body):
        if isinstance(s, (FutureCall, Then)):
            out.add(s.callee)
    return out


def features(p: Program) -> set[str]:
    """Which program features occur (for coverage reports)."""
    seen = set()
    for f in p.funcs:
        if f.is_async and f.ret is None:
            seen.add("async fn of none")
        if f.has_state:
            seen.add("state param")
        for s in all_stmts(f.body):
            name = type(s).__name__
            if isinstance(s, Await):
                name = "Await" + ("(task)" if s.src.ty.startswith("task") else "")
                if handle_value(s.src.ty) is None:
                    seen.add("await none")
            if isinstance(s, BinOp):
                seen.add(f"op {s.op}")
            if isinstance(s, If):
                for b in child_bodies(s):
                    if any(isinstance(x, Await) for x in all_stmts(b)):
                        seen.add("await in scf.if")
            if isinstance(s, For) and any(isinstance(x, Await) for x in all_stmts(s.body)):
                seen.add("await in scf.for")
            if isinstance(s, While):
                if any(isinstance(x, Await) for x in all_stmts(s.before)):
                    seen.add("await in scf.while before")
                if any(isinstance(x, Await) for x in all_stmts(s.after)):
                    seen.add("await in scf.while after")
            seen.add(name)
    return seen


# ---------------------------------------------------------------------------
# Printing as MLIR


class _Emitter:
    def __init__(self, prefix: str, sync: bool = False, block_on_attrs: str = "",
                 private: bool = False):
        self.prefix = prefix
        # private functions: a module's kernels inline them, and nothing else is kept
        self.visibility = "private " if private else ""
        # printed on every block_on (e.g. ` {scope = "warp"}`: test/difftest/gpu.py)
        self.block_on_attrs = block_on_attrs
        self.lines: list[str] = []
        self.temps = 0
        # sync: print the program without gasync (see `emit_sync`)
        self.sync = sync
        self.pending: dict[str, object] = {}

    def tmp(self) -> str:
        self.temps += 1
        return f"%t{self.temps}"

    def sym(self, name: str) -> str:
        return f"@{self.prefix}{name}"

    def out(self, ind: int, text: str) -> None:
        self.lines.append("  " * ind + text)

    def const(self, ind: int, value: int, ty: str) -> str:
        t = self.tmp()
        self.out(ind, f"{t} = arith.constant {_literal(value, ty)} : {ty}")
        return t

    # statements
    def body(self, stmts: list, ind: int) -> None:
        for s in stmts:
            self.stmt(s, ind)

    def force(self, name: str, ind: int) -> str | None:
        """sync mode: run the future `name` here; the SSA name of its value (None: none)."""
        s = self.pending[name]
        o = self.out
        if isinstance(s, FutureCall):
            return self.call(s.callee, s.args, s.dst.ty, ind)
        if isinstance(s, Then):
            v = self.force(s.src.name, ind)
            args = ([Var(v[1:], handle_value(s.src.ty))] if v else []) + list(s.extras)
            return self.call(s.callee, args, s.dst.ty, ind)
        if isinstance(s, Ready):
            return f"%{s.val.name}" if s.val is not None else None
        if isinstance(s, Spawn):
            return self.force(s.src.name, ind)
        if isinstance(s, AsyncBlock):
            o(ind, "// async block, inlined")
            self.body(s.body, ind)
            return f"%{s.ret.name}" if s.ret is not None else None
        raise TypeError(s)

    def call(self, callee: str, args: list[Var], fty: str, ind: int) -> str | None:
        value = handle_value(fty)
        names = ", ".join(f"%{a.name}" for a in args)
        tys = ", ".join(mlir_type(a.ty) for a in args)
        if value is None:
            self.out(ind, f"func.call {self.sym(callee)}({names}) : ({tys}) -> ()")
            return None
        t = self.tmp()
        self.out(ind, f"{t} = func.call {self.sym(callee)}({names}) : ({tys}) -> {value}")
        return t

    def stmt(self, s, ind: int) -> None:
        o = self.out
        if self.sync:
            if isinstance(s, (FutureCall, Ready, Then, AsyncBlock, Spawn)):
                self.pending[s.dst.name] = s
                return
            if isinstance(s, Yield):
                return
            if isinstance(s, (Await, BlockOn)):
                v = self.force(s.src.name, ind)
                if s.dst is not None:
                    o(ind, f"%{s.dst.name} = arith.ori {v}, {v} : {s.dst.ty}")
                return
        if isinstance(s, Const):
            o(ind, f"%{s.dst.name} = arith.constant {_literal(s.value, s.dst.ty)} : {s.dst.ty}")
        elif isinstance(s, BinOp):
            ty = s.dst.ty
            rhs = f"%{s.rhs.name}"
            if s.op in ("divsi", "divui", "remsi", "remui"):
                m = self.const(ind, DIV_MASK, ty)
                one = self.const(ind, 1, ty)
                t1, t2 = self.tmp(), self.tmp()
                o(ind, f"{t1} = arith.andi {rhs}, {m} : {ty}")
                o(ind, f"{t2} = arith.ori {t1}, {one} : {ty}")
                rhs = t2
            elif s.op in ("shli", "shrui", "shrsi"):
                m = self.const(ind, WIDTH[ty] - 1, ty)
                t1 = self.tmp()
                o(ind, f"{t1} = arith.andi {rhs}, {m} : {ty}")
                rhs = t1
            o(ind, f"%{s.dst.name} = arith.{s.op} %{s.lhs.name}, {rhs} : {ty}")
        elif isinstance(s, Cmp):
            o(ind, f"%{s.dst.name} = arith.cmpi {s.pred}, %{s.lhs.name}, %{s.rhs.name} : {s.lhs.ty}")
        elif isinstance(s, Select):
            o(ind, f"%{s.dst.name} = arith.select %{s.cond.name}, %{s.a.name}, %{s.b.name} : {s.dst.ty}")
        elif isinstance(s, Cast):
            o(ind, f"%{s.dst.name} = arith.{s.op} %{s.src.name} : {s.src.ty} to {s.dst.ty}")
        elif isinstance(s, Trace):
            c0 = self.const(ind, 0, "index")
            p = self.const(ind, STATE_MULT, "i32")
            h, m, n = self.tmp(), self.tmp(), self.tmp()
            o(ind, f"{h} = memref.load %{s.st.name}[{c0}] : memref<1xi32>")
            o(ind, f"{m} = arith.muli {h}, {p} : i32")
            o(ind, f"{n} = arith.addi {m}, %{s.val.name} : i32")
            o(ind, f"memref.store {n}, %{s.st.name}[{c0}] : memref<1xi32>")
        elif isinstance(s, Peek):
            c0 = self.const(ind, 0, "index")
            o(ind, f"%{s.dst.name} = memref.load %{s.st.name}[{c0}] : memref<1xi32>")
        elif isinstance(s, Event):
            # atomic: at block scope on the GPU, tasks of one log run on several warps at once
            c0, one = self.const(ind, 0, "index"), self.const(ind, 1, "i32")
            cap, site = self.const(ind, LOG_EVENTS, "i32"), self.const(ind, s.site, "i32")
            n, room = self.tmp(), self.tmp()
            o(ind, f"{n} = memref.atomic_rmw addi {one}, %{s.log.name}[{c0}] : "
                   "(i32, memref<?xi32>) -> i32")
            o(ind, f"{room} = arith.cmpi slt, {n}, {cap} : i32")
            o(ind, f"scf.if {room} {{")
            twice, first, at, at1 = self.tmp(), self.tmp(), self.tmp(), self.tmp()
            o(ind + 1, f"{twice} = arith.addi {n}, {n} : i32")
            o(ind + 1, f"{first} = arith.addi {twice}, {one} : i32")
            o(ind + 1, f"{at} = arith.index_cast {first} : i32 to index")
            c1 = self.const(ind + 1, 1, "index")
            o(ind + 1, f"{at1} = arith.addi {at}, {c1} : index")
            o(ind + 1, f"memref.store {site}, %{s.log.name}[{at}] : memref<?xi32>")
            o(ind + 1, f"memref.store %{s.val.name}, %{s.log.name}[{at1}] : memref<?xi32>")
            o(ind, "}")
        elif isinstance(s, AllocState):
            c0 = self.const(ind, 0, "index")
            o(ind, f"%{s.dst.name} = memref.alloca() : memref<1xi32>")
            o(ind, f"memref.store %{s.init.name}, %{s.dst.name}[{c0}] : memref<1xi32>")
        elif isinstance(s, FutureCall):
            args = ", ".join(f"%{a.name}" for a in s.args)
            tys = ", ".join(mlir_type(a.ty) for a in s.args)
            o(ind, f'%{s.dst.name} = "gasync.future"({args}) {{callee = {self.sym(s.callee)}}} '
                   f': ({tys}) -> {mlir_type(s.dst.ty)}')
        elif isinstance(s, Ready):
            if s.val is None:
                o(ind, f'%{s.dst.name} = "gasync.ready"() : () -> {mlir_type(s.dst.ty)}')
            else:
                o(ind, f'%{s.dst.name} = "gasync.ready"(%{s.val.name}) : ({s.val.ty}) -> '
                       f'{mlir_type(s.dst.ty)}')
        elif isinstance(s, Then):
            ops = [s.src] + list(s.extras)
            args = ", ".join(f"%{a.name}" for a in ops)
            tys = ", ".join(mlir_type(a.ty) for a in ops)
            o(ind, f'%{s.dst.name} = "gasync.then"({args}) {{callee = {self.sym(s.callee)}}} '
                   f': ({tys}) -> {mlir_type(s.dst.ty)}')
        elif isinstance(s, AsyncBlock):
            o(ind, f'%{s.dst.name} = "gasync.future"() ({{')
            self.body(s.body, ind + 1)
            if s.ret is None:
                o(ind + 1, '"gasync.return"() : () -> ()')
            else:
                o(ind + 1, f'"gasync.return"(%{s.ret.name}) : ({s.ret.ty}) -> ()')
            o(ind, f"}}) : () -> {mlir_type(s.dst.ty)}")
        elif isinstance(s, Spawn):
            o(ind, f'%{s.dst.name} = "gasync.spawn"(%{s.src.name}) : ({mlir_type(s.src.ty)}) -> '
                   f'{mlir_type(s.dst.ty)}')
        elif isinstance(s, (Await, BlockOn)):
            op = "gasync.await" if isinstance(s, Await) else "gasync.block_on"
            lhs = f"%{s.dst.name} = " if s.dst is not None else ""
            res = s.dst.ty if s.dst is not None else "()"
            attrs = ""
            if isinstance(s, BlockOn):
                if s.pool is not None and self.block_on_attrs:
                    raise ValueError("a block_on with both a pool and the emitter's attributes")
                attrs = (f" {{pool = {s.pool} : i32}}" if s.pool is not None
                         else self.block_on_attrs)
            o(ind, f'{lhs}"{op}"(%{s.src.name}){attrs} : ({mlir_type(s.src.ty)}) -> {res}')
        elif isinstance(s, Yield):
            o(ind, '"gasync.yield"() : () -> ()')
        elif isinstance(s, If):
            lhs = _results(s.results)
            tys = f" -> ({', '.join(r.ty for r in s.results)})" if s.results else ""
            o(ind, f"{lhs}scf.if %{s.cond.name}{tys} {{")
            self.body(s.then_body, ind + 1)
            self._yield(s.then_yield, ind + 1)
            o(ind, "} else {")
            self.body(s.else_body, ind + 1)
            self._yield(s.else_yield, ind + 1)
            o(ind, "}")
        elif isinstance(s, For):
            lb = self.const(ind, s.lb, "index")
            step = self.const(ind, s.step, "index")
            if s.ub_src is not None:
                three = self.const(ind, 3, "i32")
                t1, ub = self.tmp(), self.tmp()
                o(ind, f"{t1} = arith.andi %{s.ub_src.name}, {three} : i32")
                o(ind, f"{ub} = arith.index_cast {t1} : i32 to index")
            else:
                ub = self.const(ind, s.ub, "index")
            lhs = _results(s.results)
            head = f"{lhs}scf.for %{s.iv.name} = {lb} to {ub} step {step}"
            if s.iters:
                pairs = ", ".join(f"%{v.name} = %{i.name}" for v, i in zip(s.iters, s.inits))
                head += f" iter_args({pairs}) -> ({', '.join(v.ty for v in s.iters)})"
            o(ind, head + " {")
            self.body(s.body, ind + 1)
            self._yield(s.yields, ind + 1)
            o(ind, "}")
        elif isinstance(s, While):
            three = self.const(ind, 3, "i32")
            zero = self.const(ind, 0, "i32")
            lim = self.tmp()
            o(ind, f"{lim} = arith.andi %{s.lim_src.name}, {three} : i32")
            tys = ", ".join(["i32"] + [v.ty for v in s.inits])
            inits = ", ".join([f"%{s.bcount.name} = {zero}"] +
                              [f"%{b.name} = %{i.name}" for b, i in zip(s.bargs, s.inits)])
            rtys = ", ".join(["i32"] + [v.ty for v in s.results])
            lhs = _results([s.rcount] + s.results)
            o(ind, f"{lhs}scf.while ({inits}) : ({tys}) -> ({rtys}) {{")
            self.body(s.before, ind + 1)
            cond = self.tmp()
            o(ind + 1, f"{cond} = arith.cmpi slt, %{s.bcount.name}, {lim} : i32")
            cargs = [s.bcount] + s.cargs
            o(ind + 1, f"scf.condition({cond}) {', '.join('%' + v.name for v in cargs)} : {rtys}")
            o(ind, "} do {")
            aargs = [s.acount] + s.aargs
            o(ind, f"^bb0({', '.join(f'%{v.name}: {v.ty}' for v in aargs)}):")
            self.body(s.after, ind + 1)
            one = self.const(ind + 1, 1, "i32")
            nxt = self.tmp()
            o(ind + 1, f"{nxt} = arith.addi %{s.acount.name}, {one} : i32")
            ys = [nxt] + [f"%{v.name}" for v in s.yields]
            o(ind + 1, f"scf.yield {', '.join(ys)} : {tys}")
            o(ind, "}")
        else:
            raise TypeError(s)

    def _yield(self, vals: list[Var], ind: int) -> None:
        if vals:
            self.out(ind, f"scf.yield {', '.join('%' + v.name for v in vals)} : "
                          f"{', '.join(v.ty for v in vals)}")

    def func(self, f: Func) -> None:
        self.temps = 0
        params = ", ".join(f"%{p.name}: {mlir_type(p.ty)}" for p in f.params)
        ret = f" -> {f.ret}" if f.ret else ""
        attrs = " attributes {gasync.async}" if f.is_async and not self.sync else ""
        self.out(0, f"func.func {self.visibility}{self.sym(f.name)}({params}){ret}{attrs} {{")
        self.body(f.body, 1)
        if f.retval is not None:
            self.out(1, f"return %{f.retval.name} : {f.retval.ty}")
        else:
            self.out(1, "return")
        self.out(0, "}")


def _results(vals: list[Var]) -> str:
    return f"{', '.join('%' + v.name for v in vals)} = " if vals else ""


def _literal(value: int, ty: str) -> str:
    if ty == "i1":
        return "-1" if value & 1 else "0"
    if ty == "index":
        return str(value)
    w = WIDTH[ty]
    value &= (1 << w) - 1
    return str(value - (1 << w) if value >> (w - 1) else value)


def emit(p: Program, prefix: str = "", header: bool = True) -> str:
    """The program as MLIR text; symbols get `prefix` (for batching several programs)."""
    e = _Emitter(prefix)
    if header:
        a, b = p.args
        e.out(0, f"// gasync difftest program, seed {p.seed}")
        e.out(0, f"// gasync-run FILE --entry {p.entry} --arg {a} --arg {b}")
    for f in p.funcs:
        e.func(f)
        e.out(0, "")
    return "\n".join(e.lines)


def emit_sync(p: Program, prefix: str = "") -> str:
    """The program with gasync desugared away, by gasync's semantics: async functions
    become plain functions, and each future runs where it is consumed (a call, the
    inlined body of an async block, the value of a ready). Upstream MLIR compiles it;
    a second oracle besides `interp`, independent of gasync's compiler."""
    e = _Emitter(prefix, sync=True)
    for f in p.funcs:
        e.func(f)
        e.out(0, "")
    return "\n".join(e.lines)


def emit_batch(programs: list[Program], emitter=None) -> str:
    """Several programs in one module: program k's symbols get the prefix `p<k>_`, and
    `@main(%a0, %b0, %a1, %b1, ...) -> (i32, ...)` calls each program's entry."""
    if emitter is None:
        parts = [emit(p, prefix=f"p{k}_", header=False) for k, p in enumerate(programs)]
    else:
        parts = [emitter(p, prefix=f"p{k}_") for k, p in enumerate(programs)]
    params = ", ".join(f"%a{k}: i32, %b{k}: i32" for k in range(len(programs)))
    rets = ", ".join("i32" for _ in programs)
    lines = [f"func.func @main({params}) -> ({rets}) {{"]
    for k, p in enumerate(programs):
        lines.append(f"  %r{k} = func.call @p{k}_{p.entry}(%a{k}, %b{k}) : (i32, i32) -> i32")
    lines.append(f"  return {', '.join(f'%r{k}' for k in range(len(programs)))} : {rets}")
    lines.append("}")
    return "\n".join(parts + lines) + "\n"


def batch_args(programs: list[Program]) -> list[str]:
    return [str(x) for p in programs for x in p.args]


# ---------------------------------------------------------------------------
# The generator


@dataclass
class Config:
    min_funcs: int = 2
    max_funcs: int = 6
    max_depth: int = 2           # nesting of scf regions / async blocks
    max_cost: int = 3000         # estimated dynamic statements per function
    top_stmts: tuple[int, int] = (2, 6)
    inner_stmts: tuple[int, int] = (1, 3)
    host_tasks: tuple[int, int] = (1, 4)
    state: bool = True           # the state cell: Trace / Peek
    spawn: bool = True
    loops: bool = True
    while_: bool = True
    async_blocks: bool = True
    then: bool = True
    i64: bool = True
    fut_if: bool = True          # a future created before an scf.if, awaited in both branches
    events: bool = False         # the event log: every function may append to it (Event)
    host_peek: bool = True       # Peek in the host function before its end
    spawn_weight: int = 1        # how often a statement spawns, against ~40 for the rest
    pool: int | None = None      # block_on's `pool` (None: the default, 16)


EDGE = [0, 1, 2, 3, 7, -1, -2, 0x7FFFFFFF, -0x80000000, 0x7FFF, 0x10000, 31, 32, 33, 63, 64]

ARITH_OPS = ["addi", "subi", "muli", "xori", "andi", "ori", "shli", "shrui", "shrsi",
             "divsi", "divui", "remsi", "remui", "maxsi", "minsi", "maxui", "minui"]
ARITH_WEIGHTS = [6, 5, 5, 4, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1]
PREDS = ["eq", "ne", "slt", "sle", "sgt", "sge", "ult", "ule", "ugt", "uge"]


@dataclass
class _Ctx:
    fn_index: int        # callees must come later than this (host: -1)
    st: Var | None       # the state cell, when in scope
    is_async: bool
    depth: int
    mult: int            # how many times this code may run per call of the function
    log: Var | None = None  # the event log, when Config.events


class Generator:
    def __init__(self, seed: int, config: Config | None = None):
        self.seed = seed
        self.cfg = config or Config()
        self.rng = random.Random(seed)
        self.counter = 0
        self.funcs: list[Func] = []
        self.cost: dict[str, int] = {}
        self.cur_cost = 0
        # tasks: at most `TASK_LIMIT` spawned tasks alive at once under one block_on (the
        # executor's default pool is 16). live[f]: the most that running f may hold.
        self.live: dict[str, int] = {}
        self.cur_live = 0
        self.fut_live: dict[str, int] = {}
        self.sites = 0  # Event statements so far (each its own site number)

    # values -------------------------------------------------------------
    def new(self, ty: str) -> Var:
        self.counter += 1
        return Var(f"v{self.counter}", ty)

    def value_types(self) -> list[str]:
        return ["i32", "i64"] if self.cfg.i64 else ["i32"]

    def rand_int(self, ty: str) -> int:
        r = self.rng.random()
        if ty == "i1":
            return self.rng.randint(0, 1)
        if r < 0.45:
            v = self.rng.randint(-4, 12)
        elif r < 0.75:
            v = self.rng.choice(EDGE)
        elif ty == "i64" and r < 0.85:
            v = self.rng.choice([1 << 32, (1 << 63) - 1, -(1 << 63), (1 << 32) + 5])
        else:
            v = self.rng.getrandbits(WIDTH[ty])
        return v & ((1 << WIDTH[ty]) - 1)

    def const(self, ty: str, out: list, value: int | None = None) -> Var:
        v = self.new(ty)
        out.append(Const(v, self.rand_int(ty) if value is None else value))
        return v

    def pick(self, scope: list[Var], ty: str, out: list, p_existing: float = 0.85) -> Var:
        cands = [v for v in scope if v.ty == ty]
        if cands and self.rng.random() < p_existing:
            # favour recent values so that results flow onwards
            if self.rng.random() < 0.5:
                return cands[-1 - min(len(cands) - 1, int(self.rng.expovariate(0.7)))]
            return self.rng.choice(cands)
        return self.const(ty, out)

    def cast(self, v: Var, ty: str, out: list) -> Var:
        if v.ty == ty:
            return v
        d = self.new(ty)
        if v.ty == "index":
            if ty == "i32":
                out.append(Cast(d, "index_cast", v))
                return d
            mid = self.cast(v, "i32", out)
            return self.cast(mid, ty, out)
        if ty == "index":
            mid = self.cast(v, "i32", out)
            out.append(Cast(d, "index_cast", mid))
            return d
        if ty == "i1":
            z = self.const(v.ty, out, 0)
            out.append(Cmp(d, self.rng.choice(["ne", "slt", "ugt"]), v, z))
            return d
        if WIDTH[v.ty] < WIDTH[ty]:
            op = "extui" if v.ty == "i1" else self.rng.choice(["extsi", "extui"])
            out.append(Cast(d, op, v))
        else:
            out.append(Cast(d, "trunci", v))
        return d

    def mix(self, vals: list[Var], ty: str, out: list) -> Var:
        """One value of type `ty` that depends on `vals` (the most recent few, and a few
        older ones, which then live across the suspensions in between)."""
        vals = [v for v in vals if not is_handle(v.ty) and v.ty not in ("st", "log")]
        if not vals:
            return self.const(ty, out)
        if len(vals) > 6:
            older = sorted(self.rng.sample(range(len(vals) - 4), 2))
            vals = [vals[i] for i in older] + vals[-4:]
        acc = self.cast(vals[0], ty, out)
        for v in vals[1:]:
            c = self.cast(v, ty, out)
            d = self.new(ty)
            ops = ["xori", "ori"] if ty == "i1" else ["addi", "xori", "subi", "addi"]
            out.append(BinOp(d, self.rng.choice(ops), acc, c))
            acc = d
        return acc

    # callees ------------------------------------------------------------
    def callees(self, ctx: _Ctx, pure: bool = False) -> list[Func]:
        out = []
        for i, f in enumerate(self.funcs):
            if i <= ctx.fn_index or not f.is_async:
                continue
            if f.has_state and (ctx.st is None or pure):
                continue
            if self.cur_cost + ctx.mult * self.cost.get(f.name, 1) > self.cfg.max_cost:
                continue
            out.append(f)
        return out

    def args_for(self, f: Func, params: list[Var], ctx: _Ctx, scope: list[Var], out: list) -> list[Var]:
        args = []
        for p in params:
            args.append(ctx.st if p.ty == "st" else ctx.log if p.ty == "log"
                        else self.pick(scope, p.ty, out))
        return args

    def charge(self, ctx: _Ctx, name: str) -> None:
        self.cur_cost += ctx.mult * self.cost.get(name, 1)

    def consume(self, fut_v: Var, ctx: _Ctx, scope: list[Var], out: list) -> None:
        self.cur_live = max(self.cur_live, self.fut_live.get(fut_v.name, 0))
        value = handle_value(fut_v.ty)
        dst = self.new(value) if value else None
        out.append(Await(dst, fut_v) if ctx.is_async else BlockOn(dst, fut_v, self.cfg.pool))
        if dst is not None:
            scope.append(dst)

    # statements ---------------------------------------------------------
    def block(self, ctx: _Ctx, scope: list[Var], n: int) -> tuple[list, list[Var]]:
        out: list = []
        local = list(scope)
        for _ in range(n):
            self.stmt(ctx, local, out)
        return out, local

    def stmt(self, ctx: _Ctx, scope: list[Var], out: list) -> None:
        cfg = self.cfg
        self.cur_cost += ctx.mult
        nested = ctx.depth < cfg.max_depth
        choices = [("arith", 6), ("call", 5), ("two", 2), ("ready", 1)]
        if ctx.st is not None and cfg.state:
            choices += [("trace", 3)]
            if ctx.is_async or cfg.host_peek:
                choices += [("peek", 1)]
        if ctx.log is not None:
            choices += [("event", 3)]
        if cfg.then:
            choices += [("then", 3)]
        if cfg.async_blocks and nested:
            choices += [("block", 2)]
        if nested:
            choices += [("if", 3)]
            if cfg.fut_if:
                choices += [("fut_if", 2)]
            if cfg.loops:
                choices += [("for", 3)]
            if cfg.while_ and ctx.is_async:
                choices += [("while", 2)]
        if ctx.is_async:
            choices += [("yield", 3)]
            if cfg.spawn:
                choices += [("spawn", cfg.spawn_weight)]
        kinds, weights = zip(*choices)
        kind = self.rng.choices(kinds, weights)[0]
        getattr(self, "s_" + kind)(ctx, scope, out)

    def s_arith(self, ctx: _Ctx, scope: list[Var], out: list) -> None:
        r = self.rng.random()
        ty = self.rng.choice(self.value_types())
        if r < 0.7:
            op = self.rng.choices(ARITH_OPS, ARITH_WEIGHTS)[0]
            a = self.pick(scope, ty, out)
            b = self.pick(scope, ty, out)
            d = self.new(ty)
            out.append(BinOp(d, op, a, b))
        elif r < 0.85:
            a = self.pick(scope, ty, out)
            b = self.pick(scope, ty, out)
            d = self.new("i1")
            out.append(Cmp(d, self.rng.choice(PREDS), a, b))
        elif r < 0.93:
            c = self.pick(scope, "i1", out)
            a = self.pick(scope, ty, out)
            b = self.pick(scope, ty, out)
            d = self.new(ty)
            out.append(Select(d, c, a, b))
        else:
            srcs = [v for v in scope if v.ty in ("i1", "i32", "i64", "index")]
            if not srcs:
                return
            src = self.rng.choice(srcs)
            d = self.cast(src, self.rng.choice(self.value_types()), out)
            if d is src:
                return
        scope.append(d)

    def s_trace(self, ctx: _Ctx, scope: list[Var], out: list) -> None:
        v = self.mix(self.rng.sample(scope, min(len(scope), 2)) if scope else [], "i32", out)
        out.append(Trace(ctx.st, v))

    def s_event(self, ctx: _Ctx, scope: list[Var], out: list) -> None:
        v = self.mix(self.rng.sample(scope, min(len(scope), 2)) if scope else [], "i32", out)
        self.sites += 1
        out.append(Event(ctx.log, self.sites, v))

    def s_peek(self, ctx: _Ctx, scope: list[Var], out: list) -> None:
        d = self.new("i32")
        out.append(Peek(d, ctx.st))
        scope.append(d)

    def s_yield(self, ctx: _Ctx, scope: list[Var], out: list) -> None:
        out.append(Yield())

    def make_future(self, ctx: _Ctx, scope: list[Var], out: list, allow_block: bool = True) -> Var | None:
        """A future from a call, a ready, or an async block (not yet consumed)."""
        r = self.rng.random()
        if allow_block and self.cfg.async_blocks and ctx.depth < self.cfg.max_depth and r < 0.15:
            return self.async_block(ctx, scope, out)
        cands = self.callees(ctx)
        if cands and r < 0.85:
            f = self.rng.choice(cands)
            self.charge(ctx, f.name)
            d = self.new(fut(f.ret))
            out.append(FutureCall(d, f.name, self.args_for(f, f.params, ctx, scope, out)))
            self.fut_live[d.name] = self.live.get(f.name, 0)
            return d
        ty = self.rng.choice(self.value_types() + ["i1", None])
        val = self.pick(scope, ty, out) if ty else None
        d = self.new(fut(ty))
        out.append(Ready(d, val))
        return d

    def async_block(self, ctx: _Ctx, scope: list[Var], out: list) -> Var:
        ty = self.rng.choice(self.value_types() + [None])
        inner = dataclasses.replace(ctx, is_async=True, depth=ctx.depth + 1)
        body, local = self.block(inner, scope, self.rng.randint(*self.cfg.inner_stmts))
        ret = None
        if ty is not None:
            ret = self.mix(local[len(scope):] or local, ty, body)
        d = self.new(fut(ty))
        out.append(AsyncBlock(d, body, ret))
        return d

    def s_call(self, ctx: _Ctx, scope: list[Var], out: list) -> None:
        f = self.make_future(ctx, scope, out)
        if f is None:
            return self.s_arith(ctx, scope, out)
        if self.rng.random() < 0.3:  # work between creation and consumption
            self.s_trace(ctx, scope, out) if ctx.st is not None else self.s_arith(ctx, scope, out)
        self.consume(f, ctx, scope, out)

    def s_two(self, ctx: _Ctx, scope: list[Var], out: list) -> None:
        f1 = self.make_future(ctx, scope, out)
        if ctx.st is not None and self.rng.random() < 0.5:
            self.s_trace(ctx, scope, out)
        f2 = self.make_future(ctx, scope, out)
        order = [f1, f2] if self.rng.random() < 0.4 else [f2, f1]
        self.consume(order[0], ctx, scope, out)
        if ctx.st is not None and self.rng.random() < 0.5:
            self.s_trace(ctx, scope, out)
        self.consume(order[1], ctx, scope, out)

    def s_ready(self, ctx: _Ctx, scope: list[Var], out: list) -> None:
        ty = self.rng.choice(self.value_types() + ["i1", None])
        val = self.pick(scope, ty, out) if ty else None
        d = self.new(fut(ty))
        out.append(Ready(d, val))
        self.consume(d, ctx, scope, out)

    def then_callees(self, ctx: _Ctx, value: str | None) -> list[Func]:
        out = []
        for f in self.callees(ctx):
            if value is None or (f.params and f.params[0].ty == value):
                out.append(f)
        return out

    def s_then(self, ctx: _Ctx, scope: list[Var], out: list) -> None:
        src = self.make_future(ctx, scope, out)
        for _ in range(self.rng.choice([1, 1, 1, 2, 3])):
            value = handle_value(src.ty)
            cands = self.then_callees(ctx, value)
            if not cands:
                break
            g = self.rng.choice(cands)
            self.charge(ctx, g.name)
            extras_params = g.params if value is None else g.params[1:]
            extras = self.args_for(g, extras_params, ctx, scope, out)
            d = self.new(fut(g.ret))
            out.append(Then(d, src, g.name, extras))
            self.fut_live[d.name] = max(self.fut_live.get(src.name, 0), self.live.get(g.name, 0))
            src = d
        self.consume(src, ctx, scope, out)

    def s_block(self, ctx: _Ctx, scope: list[Var], out: list) -> None:
        f = self.async_block(ctx, scope, out)
        self.consume(f, ctx, scope, out)

    def branch_results(self) -> list[str]:
        n = self.rng.choice([0, 1, 1, 2])
        return [self.rng.choice(self.value_types() + ["i1"]) for _ in range(n)]

    def s_if(self, ctx: _Ctx, scope: list[Var], out: list, fut_v: Var | None = None) -> None:
        cond = self.pick(scope, "i1", out, 0.7)
        if cond.ty != "i1":
            cond = self.cast(cond, "i1", out)
        tys = self.branch_results()
        inner = dataclasses.replace(ctx, depth=ctx.depth + 1)
        bodies, yields = [], []
        for _ in range(2):
            body: list = []
            local = list(scope)
            n = self.rng.randint(*self.cfg.inner_stmts)
            at = self.rng.randint(0, n)
            for i in range(n + 1):
                if i == at and fut_v is not None:
                    self.consume(fut_v, inner, local, body)
                if i < n:
                    self.stmt(inner, local, body)
            new = local[len(scope):]
            ys = []
            for t in tys:
                pool = self.rng.sample(new, min(2, len(new))) + [v for v in new if v.ty == t][-1:]
                ys.append(self.mix(pool or local[-2:], t, body))
            bodies.append(body)
            yields.append(ys)
        results = [self.new(t) for t in tys]
        out.append(If(results, cond, bodies[0], yields[0], bodies[1], yields[1]))
        scope.extend(results)

    def s_fut_if(self, ctx: _Ctx, scope: list[Var], out: list) -> None:
        f = self.make_future(ctx, scope, out)
        if ctx.st is not None and self.rng.random() < 0.5:
            self.s_trace(ctx, scope, out)
        self.s_if(ctx, scope, out, fut_v=f)

    def loop_carried(self, scope: list[Var], out: list) -> tuple[list[Var], list[Var]]:
        n = self.rng.choice([0, 1, 1, 2, 3])
        tys = [self.rng.choice(self.value_types() + ["i1"]) for _ in range(n)]
        inits = [self.pick(scope, t, out) for t in tys]
        iters = [self.new(t) for t in tys]
        return inits, iters

    def carried_yields(self, iters: list[Var], local: list[Var], new: list[Var], body: list) -> list[Var]:
        ys = []
        for it in iters:
            pool = [it] + self.rng.sample(new, min(2, len(new)))
            ys.append(self.mix(pool, it.ty, body))
        return ys

    def s_for(self, ctx: _Ctx, scope: list[Var], out: list) -> None:
        lb = self.rng.choice([0, 0, 1])
        step = self.rng.choice([1, 1, 1, 2])
        ub_src = None
        ub = self.rng.randint(0, 4)
        if self.rng.random() < 0.4:
            ub_src = self.pick(scope, "i32", out)
            lb, ub = 0, 3
        trips = max(0, -(-(ub - lb) // step))
        inits, iters = self.loop_carried(scope, out)
        iv = self.new("index")
        inner = dataclasses.replace(ctx, depth=ctx.depth + 1, mult=ctx.mult * max(1, trips))
        body, local = self.block(inner, scope + [iv] + iters, self.rng.randint(*self.cfg.inner_stmts))
        new = local[len(scope):]
        if iters and self.rng.random() < 0.5:  # the induction variable, after the body's awaits
            new.append(self.cast(iv, "i32", body))
        ys = self.carried_yields(iters, local, new, body)
        results = [self.new(v.ty) for v in iters]
        out.append(For(results, lb, ub, ub_src, step, iv, iters, inits, body, ys))
        scope.extend(results)

    def s_while(self, ctx: _Ctx, scope: list[Var], out: list) -> None:
        lim = self.pick(scope, "i32", out)
        inits, bargs = self.loop_carried(scope, out)
        bcount = self.new("i32")
        inner = dataclasses.replace(ctx, depth=ctx.depth + 1, mult=ctx.mult * 4)
        n_before = self.rng.choice([0, 0, 1, 2])
        before, blocal = self.block(inner, scope + [bcount] + bargs, n_before)
        bnew = blocal[len(scope):]
        cargs = self.carried_yields(bargs, blocal, bnew, before)
        acount = self.new("i32")
        aargs = [self.new(v.ty) for v in bargs]
        after, alocal = self.block(inner, scope + [acount] + aargs, self.rng.randint(*self.cfg.inner_stmts))
        anew = alocal[len(scope):]
        ys = self.carried_yields(aargs, alocal, anew, after)
        rcount = self.new("i32")
        results = [self.new(v.ty) for v in bargs]
        out.append(While(rcount, results, lim, inits, bcount, bargs, before, cargs, acount, aargs,
                         after, ys))
        scope.append(rcount)
        scope.extend(results)

    def s_spawn(self, ctx: _Ctx, scope: list[Var], out: list) -> None:
        """Spawn one or two tasks (of functions that cannot touch the state), then join
        them, in either order; only yields and arithmetic in between."""
        cands = [f for f in self.callees(ctx, pure=True)
                 if 1 + self.live.get(f.name, 0) <= TASK_LIMIT]
        if not cands:
            return self.s_call(ctx, scope, out)
        n = 2 if self.rng.random() < 0.35 else 1
        picked = [self.rng.choice(cands) for _ in range(n)]
        if n == 2 and 2 + sum(self.live.get(f.name, 0) for f in picked) > TASK_LIMIT:
            picked = picked[:1]
        tasks = []
        for f in picked:
            self.charge(ctx, f.name)
            fv = self.new(fut(f.ret))
            out.append(FutureCall(fv, f.name, self.args_for(f, f.params, ctx, scope, out)))
            t = self.new(task(f.ret))
            out.append(Spawn(t, fv))
            tasks.append(t)
        self.cur_live = max(self.cur_live, len(picked) + sum(self.live.get(f.name, 0) for f in picked))
        for _ in range(self.rng.choice([0, 1, 1, 2])):
            if self.rng.random() < 0.5:
                out.append(Yield())
            elif ctx.log is not None and self.rng.random() < 0.5:
                self.s_event(ctx, scope, out)
            else:
                self.s_arith(ctx, scope, out)
        self.rng.shuffle(tasks)
        for t in tasks:
            self.consume(t, ctx, scope, out)

    # functions ----------------------------------------------------------
    def signature(self, i: int) -> Func:
        n = self.rng.choice([0, 1, 1, 2, 2, 3])
        params = [self.new(self.rng.choice(self.value_types() * 3 + ["i1"])) for _ in range(n)]
        if self.cfg.events:
            params.append(Var("lg", "log"))
        if self.cfg.state and self.rng.random() < 0.6:
            params.append(Var("st", "st"))
        ret = self.rng.choice(self.value_types() * 2 + [None])
        return Func(f"f{i}", params, ret, [], None)

    def body(self, i: int, f: Func) -> None:
        self.cur_cost = 1
        self.cur_live = 0
        st = f.params[-1] if f.has_state else None
        log = Var("lg", "log") if self.cfg.events else None
        ctx = _Ctx(fn_index=i, st=st, is_async=f.is_async, depth=0, mult=1, log=log)
        scope = [p for p in f.params if p.ty not in ("st", "log")]
        n = self.rng.randint(*self.cfg.top_stmts)
        body, local = self.block(ctx, scope, n)
        if self.rng.random() < 0.3:  # suspend before anything else: every caller is pending
            body.insert(0, Yield())
        if f.ret is not None:
            f.retval = self.mix(local[len(scope):] + scope[:1], f.ret, body)
        elif st is not None and self.rng.random() < 0.5:
            self.s_trace(ctx, local, body)
        f.body = body
        self.cost[f.name] = self.cur_cost
        self.live[f.name] = self.cur_live

    def program(self) -> Program:
        shape = self.rng.random()
        if shape < 0.15:    # deep: more nesting, fewer functions
            self.cfg = dataclasses.replace(self.cfg, max_depth=self.cfg.max_depth + 1,
                                           max_funcs=max(self.cfg.min_funcs, 4))
        elif shape < 0.3:   # wide: a longer chain of small functions
            self.cfg = dataclasses.replace(self.cfg, min_funcs=6, max_funcs=10, top_stmts=(1, 4))
        n = self.rng.randint(self.cfg.min_funcs, self.cfg.max_funcs)
        self.funcs = [self.signature(i) for i in range(n)]
        for i in reversed(range(n)):
            self.body(i, self.funcs[i])
        # the host entry
        a, b = Var("a", "i32"), Var("b", "i32")
        log = Var("lg", "log") if self.cfg.events else None
        main = Func("main", [a, b] + ([log] if log else []), "i32", [], None, is_async=False)
        self.funcs.append(main)
        self.cur_cost = 1
        body: list = []
        st = None
        scope = [a, b]
        if self.cfg.state:
            init = self.mix([a, b], "i32", body) if self.rng.random() < 0.5 else self.const("i32", body)
            st = Var("st", "st")
            body.append(AllocState(st, init))
        ctx = _Ctx(fn_index=-1, st=st, is_async=False, depth=0, mult=1, log=log)
        local = list(scope)
        for _ in range(self.rng.randint(*self.cfg.host_tasks)):
            r = self.rng.random()
            if r < 0.6:
                kind = self.rng.choice(["call", "call", "two", "then", "ready", "block"])
                if kind == "block" and not self.cfg.async_blocks:
                    kind = "call"
                if kind == "then" and not self.cfg.then:
                    kind = "call"
            else:
                kind = self.rng.choice(["if", "fut_if", "for", "arith"] + (["trace"] if st else [])
                                       + (["event"] if log else []))
                if kind == "for" and not self.cfg.loops:
                    kind = "if"
                if kind == "fut_if" and not self.cfg.fut_if:
                    kind = "if"
            getattr(self, "s_" + kind)(ctx, local, body)
        finals = local[2:] or local
        if st is not None:
            h = self.new("i32")
            body.append(Peek(h, st))
            finals = finals + [h]
        main.retval = self.mix(finals, "i32", body)
        main.body = body
        args = tuple(self.rng.choice([self.rng.randint(-10, 10), self.rng.choice(EDGE),
                                      self.rng.getrandbits(31) - (1 << 30)]) for _ in range(2))
        return Program(self.seed, self.funcs, args)


def generate(seed: int, config: Config | None = None) -> Program:
    return Generator(seed, config).program()


# ---------------------------------------------------------------------------
# Verification through gasync's own verifier


def verify_text(text: str) -> list[str]:
    """Parse and verify; returns the diagnostics (errors and warnings), empty if clean."""
    from mlir import ir

    from gasync.dialect import DiagnosticEngine, prepare_context, verify

    ctx = prepare_context(ir.Context())
    diags = DiagnosticEngine(None, echo=False)
    with ctx, ir.Location.unknown():
        handler = diags.capture(ctx)
        try:
            module = ir.Module.parse(text)
            if not module.operation.verify():
                return ["MLIR verifier failed"]
            verify(module.operation, diags)
        except ir.MLIRError as e:
            diags.add_mlir_error(e)
        finally:
            handler.detach()
    return [d.render() for d in diags.diagnostics]


def clone(p: Program) -> Program:
    return copy.deepcopy(p)


# ---------------------------------------------------------------------------
# Shrinking (for minimising a failing program)

_PURE = (Const, BinOp, Cmp, Select, Cast, Peek)
_HANDLE_PRODUCERS = (FutureCall, Ready, Then, AsyncBlock, Spawn)


def _locations(body: list, path: tuple = ()) -> Iterator[tuple]:
    """Paths of every statement: (i,) at top level, (i, body_k, j) inside, ...; outer first."""
    for i, s in enumerate(body):
        yield path + (i,)
    for i, s in enumerate(body):
        for k, b in enumerate(child_bodies(s)):
            yield from _locations(b, path + (i, k))


def _body_at(body: list, path: tuple) -> list:
    for i in range(0, len(path) - 1, 2):
        body = child_bodies(body[path[i]])[path[i + 1]]
    return body


def _used_names(f: Func) -> set[str]:
    names = {v.name for v in all_uses(f.body)}
    if f.retval is not None:
        names.add(f.retval.name)
    return names


def _cleanup(f: Func) -> None:
    """Drop futures nobody consumes (and what only they used), and dead pure values."""
    changed = True
    while changed:
        changed = False
        used = _used_names(f)

        def sweep(body: list) -> None:
            nonlocal changed
            keep = []
            for s in body:
                d = defs(s)
                if (isinstance(s, _HANDLE_PRODUCERS + _PURE + (AllocState,)) and d
                        and all(v.name not in used for v in d)):
                    changed = True
                    continue
                for b in child_bodies(s):
                    sweep(b)
                keep.append(s)
            body[:] = keep

        sweep(f.body)


def _const_for(v: Var, observed: dict, fname: str) -> Const:
    value = observed.get((fname, v.name), 0)
    return Const(v, value)


def _replacements(s, fname: str, observed: dict, counter: list) -> list[list]:
    """Smaller statements that could stand for `s` (each a list of statements)."""
    def fresh(ty: str) -> Var:
        counter[0] += 1
        return Var(f"m{counter[0]}", ty)

    out: list[list] = []
    d = defs(s)
    if isinstance(s, (Const, AllocState)):
        return out
    if isinstance(s, If):
        for body, ys in ((s.then_body, s.then_yield), (s.else_body, s.else_yield)):
            out.append(list(body) + [BinOp(r, "ori", y, y) for r, y in zip(s.results, ys)])
    if isinstance(s, For) and (s.ub_src is not None or s.ub - s.lb > s.step):
        out.append([dataclasses.replace(s, ub_src=None, lb=0, ub=1, step=1)])
    if isinstance(s, (FutureCall, Then, AsyncBlock)):
        value = handle_value(s.dst.ty)
        if value is None:
            out.append([Ready(s.dst, None)])
        else:
            v = fresh(value)
            out.append([Const(v, 0), Ready(s.dst, v)])
    if not any(is_handle(v.ty) for v in d):
        if d:
            out.append([_const_for(v, observed, fname) for v in d])
        else:
            out.append([])  # a Trace, a Yield, an await of none, a region of no result
    return [r for r in out if r or not d]


def shrink_candidates(p: Program) -> Iterator[Program]:
    """Smaller variants of `p` (each still a valid program), biggest cuts first."""
    from .interp import Interpreter

    interp = Interpreter(p)
    try:
        interp.run()
    except Exception:  # noqa: BLE001
        pass
    observed = interp.observed
    # unused async functions
    called = set()
    for f in p.funcs:
        called |= callees_of(f.body)
    for i, f in enumerate(p.funcs):
        if f.is_async and f.name not in called:
            q = clone(p)
            del q.funcs[i]
            yield q
    counter = [0]
    for f in p.funcs:
        for s in all_stmts(f.body):
            for v in defs(s):
                if v.name.startswith("m") and v.name[1:].isdigit():
                    counter[0] = max(counter[0], int(v.name[1:]))
    # statements, outer ones first
    for fi, f in enumerate(p.funcs):
        for path in _locations(f.body):
            s = _body_at(f.body, path)[path[-1]]
            for rep in _replacements(s, f.name, observed, counter):
                q = clone(p)
                qf = q.funcs[fi]
                body = _body_at(qf.body, path)
                body[path[-1]:path[-1] + 1] = copy.deepcopy(rep)
                _cleanup(qf)
                yield q
    # simpler arguments
    if p.args != (0, 0):
        for args in ((0, p.args[1]), (p.args[0], 0)):
            if args != p.args:
                q = clone(p)
                q.args = args
                yield q


if __name__ == "__main__":
    import sys

    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    print(emit(generate(seed)))
