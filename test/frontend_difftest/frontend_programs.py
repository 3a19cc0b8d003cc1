"""A seeded generator of random Python async programs in gasync's subset.

One program is one Python source text, run twice unchanged (run.py):
under gasync (compiled, on the CPU) and under CPython's asyncio with a
stand-in `gasync` module (`reference_namespace`: spawn = create_task,
yield_now = sleep(0), the scalar types wrap). Fixed-width wrapping is in the
source itself: every arithmetic result is passed through its type
(`i16(a * b)`), a no-op conversion for gasync and two's-complement wrapping
for Python, so both see the same values.

What a program holds: async functions f0..fN (fi awaits or spawns only fj
with j > i: no cycle), each taking the shared log (`log`, `cnt`: appends make
the interleaving visible) and scalars of several widths; assignments,
if/elif/else, while and for-range loops with break and continue, early
returns, nested awaits in expressions, nested async defs capturing values,
spawns joined in any order (every task is joined, at the function's top
level), and yields.

With `slot_size` (the GPU difftest, gpu.py), every function also takes
`slot: i32`, passes it on, and appends to its own part of the log,
`log[slot * slot_size + cnt[slot]]`, so that many runs (threads, lanes,
programs of one kernel) share one log array. The random choices are the
same: the program differs only in that plumbing.
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
import re
import types

import numpy as np

from gasync.frontend.types import i8, i16, i32, i64

INT_TYPES = (i8, i16, i32, i64)
LOG_SIZE = 4096
HEADER = "import gasync\nfrom gasync import i8, i16, i32, i64, Array\n\n"


@dataclasses.dataclass
class Func:
    name: str
    params: list  # [(name, type)]
    result: object


class Gen:
    def __init__(self, seed: int, slot_size: int | None = None):
        self.r = random.Random(seed)
        self.slot_size = slot_size
        self.log_args = ["log", "cnt"] + (["slot"] if slot_size else [])
        self.log_params = "log: Array[i32], cnt: Array[i32], " + ("slot: i32, " if slot_size else "")
        self.n_funcs = self.r.randint(1, 4)
        self.funcs = [Func(f"f{i}", [(f"p{k}", self.r.choice(INT_TYPES))
                                    for k in range(self.r.randint(1, 3))],
                           self.r.choice(INT_TYPES)) for i in range(self.n_funcs)]
        self.counter = 0

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    # Expressions -------------------------------------------------------
    def literal(self, t) -> str:
        lo, hi = max(t.min, -300), min(t.max, 300)
        return str(self.r.randint(lo, hi))

    def expr(self, t, scope, depth: int) -> str:
        same = [n for n, vt in scope.vars.items() if vt == t]
        other = [n for n, vt in scope.vars.items() if vt != t]
        choices = ["lit", "var", "var", "conv", "bin", "bin", "bin", "ternary", "minmax"]
        if scope.callees and depth < 2 and scope.budget > 0:
            choices.append("await")
        c = self.r.choice(choices) if depth < 3 else self.r.choice(["lit", "var"])
        if c == "var" and same:
            return self.r.choice(same)
        if c == "conv" and other:
            return f"{t}({self.r.choice(other)})"
        if c == "bin":
            op = self.r.choice(["+", "-", "*", "//", "%", "&", "|", "^", "<<", ">>"])
            a = self.expr(t, scope, depth + 1)
            b = self.expr(t, scope, depth + 1)
            if op in ("//", "%"):
                b = f"{t}({b} | 1)"  # never zero
            elif op in ("<<", ">>"):
                # In [0, width): a negative count is a fault in gasync and a ValueError in
                # CPython (test_frontend checks both), which these programs do not compare.
                b = f"({b} & {t.bits - 1})"
            return f"{t}({a} {op} {b})"
        if c == "ternary":
            return (f"{t}({self.expr(t, scope, depth + 1)} if {self.cond(scope, depth + 1)} "
                    f"else {self.expr(t, scope, depth + 1)})")
        if c == "minmax":
            fn = self.r.choice(["min", "max", "abs"])
            if fn == "abs":
                return f"{t}(abs({self.expr(t, scope, depth + 1)}))"
            return f"{fn}({self.expr(t, scope, depth + 1)}, {self.expr(t, scope, depth + 1)})"
        if c == "await":
            return f"{t}({self.call(scope, depth + 1, awaited=True)})"
        return self.literal(t)

    def cond(self, scope, depth: int) -> str:
        t = self.r.choice(INT_TYPES)
        c = self.r.choice(["cmp", "cmp", "chain", "and", "not"]) if depth < 3 else "cmp"
        op = lambda: self.r.choice(["<", "<=", ">", ">=", "==", "!="])  # noqa: E731
        if c == "chain":
            return (f"{self.expr(t, scope, depth + 1)} {op()} {self.expr(t, scope, depth + 1)} "
                    f"{op()} {self.expr(t, scope, depth + 1)}")
        if c == "and":
            return (f"({self.cond(scope, depth + 1)} {self.r.choice(['and', 'or'])} "
                    f"{self.cond(scope, depth + 1)})")
        if c == "not":
            return f"not ({self.cond(scope, depth + 1)})"
        return f"{self.expr(t, scope, depth + 1)} {op()} {self.expr(t, scope, depth + 1)}"

    def call(self, scope, depth: int, awaited: bool) -> str:
        scope.budget -= 1
        f = self.r.choice(scope.callees)
        args = ", ".join(self.log_args + [self.expr(t, scope, depth + 1) for _, t in f.params])
        return f"(await {f.name}({args}))" if awaited else f"{f.name}({args})"

    # Statements --------------------------------------------------------
    def block(self, scope, depth: int, indent: str, n: int, top: bool = False) -> list[str]:
        lines = []
        for _ in range(n):
            lines += self.stmt(scope, depth, indent, top)
        return lines

    def stmt(self, scope, depth: int, indent: str, top: bool) -> list[str]:
        kinds = ["assign", "assign", "log", "log", "yield"]
        if depth < 2:
            kinds += ["if", "while", "for"]
        if scope.callees and scope.budget > 0:
            kinds += ["await"]
            if top and scope.allow_spawn:
                kinds += ["spawn", "spawn"]
        if scope.tasks and top:
            kinds += ["join", "join"]
        if scope.loop_depth:
            kinds += ["break", "continue"]
        if depth < 2 and scope.allow_nested and scope.is_function:
            kinds += ["nested"]
        if depth > 0 and not scope.tasks:  # every spawned task is joined first
            kinds += ["return"]
        k = self.r.choice(kinds)
        i = indent
        if k == "assign":
            mutable = [n for n in scope.vars
                       if n not in scope.captured and n not in scope.frozen and n in scope.own]
            if mutable and self.r.random() < 0.5:
                v = self.r.choice(mutable)
                t = scope.vars[v]
                if self.r.random() < 0.3:
                    op = self.r.choice(["+", "-", "*", "^"])
                    return [f"{i}{v} = {t}({v} {op} {self.expr(t, scope, 1)})"]
                return [f"{i}{v} = {self.expr(t, scope, 0)}"]
            t = self.r.choice(INT_TYPES)
            v = self.fresh("v")
            e = self.expr(t, scope, 0)
            scope.define(v, t)
            return [f"{i}{v}: {t} = {e}"]
        if k == "log":
            value = f"i32({self.expr(self.r.choice(INT_TYPES), scope, 0)})"
            if self.slot_size:
                return [f"{i}log[slot * {self.slot_size} + cnt[slot]] = {value}",
                        f"{i}cnt[slot] += 1"]
            return [f"{i}log[cnt[0]] = {value}", f"{i}cnt[0] += 1"]
        if k == "yield":
            return [f"{i}await gasync.yield_now()"]
        if k == "await":
            t = self.r.choice(INT_TYPES)
            v = self.fresh("a")
            e = self.call(scope, 1, awaited=True)
            scope.define(v, t)
            return [f"{i}{v}: {t} = {t}{e}"]
        if k == "spawn":
            v = self.fresh("t")
            e = self.call(scope, 1, awaited=False)
            scope.tasks.append(v)
            return [f"{i}{v} = gasync.spawn({e})"]
        if k == "join":
            return self.join(scope, i, self.r.randrange(len(scope.tasks)))
        if k == "if":
            lines = [f"{i}if {self.cond(scope, 0)}:"]
            lines += self.sub_block(scope, depth, i)
            if self.r.random() < 0.3:
                lines += [f"{i}elif {self.cond(scope, 0)}:"] + self.sub_block(scope, depth, i)
            if self.r.random() < 0.6:
                lines += [f"{i}else:"] + self.sub_block(scope, depth, i)
            return lines
        if k == "while":
            w = self.fresh("w")
            lines = [f"{i}{w}: i32 = 0", f"{i}while {w} < {self.r.randint(1, 3)}:",
                     f"{i}    {w} += 1"]
            scope.loop_depth += 1
            lines += self.sub_block(scope, depth, i, frozen_extra={w})
            scope.loop_depth -= 1
            return lines
        if k == "for":
            v = self.fresh("k")
            lines = [f"{i}for {v} in range({self.r.randint(0, 3)}):"]
            scope.loop_depth += 1
            scope.vars[v] = i64
            lines += self.sub_block(scope, depth, i, frozen_extra={v})
            del scope.vars[v]
            scope.loop_depth -= 1
            return lines
        if k in ("break", "continue"):
            return [f"{i}if {self.cond(scope, 1)}:", f"{i}    {k}"]
        if k == "return":
            return [f"{i}return {self.expr(scope.result, scope, 0)}"]
        if k == "nested":
            return self.nested(scope, i)
        raise AssertionError(k)

    def join(self, scope, i: str, index: int) -> list[str]:
        task = scope.tasks.pop(index)
        v = self.fresh("j")
        t = self.r.choice(INT_TYPES)
        scope.define(v, t)
        return [f"{i}{v}: {t} = {t}(await {task})"]

    def sub_block(self, scope, depth: int, indent: str, frozen_extra=()) -> list[str]:
        inner = scope.child(frozen_extra)
        lines = self.block(inner, depth + 1, indent + "    ", self.r.randint(1, 3))
        scope.budget = inner.budget
        return lines

    def nested(self, scope, i: str) -> list[str]:
        name = self.fresh("n")
        pt, rt = self.r.choice(INT_TYPES), self.r.choice(INT_TYPES)
        p = self.fresh("q")
        inner = Scope(self, dict(scope.vars), scope.callees, rt, budget=min(scope.budget, 2),
                      allow_spawn=False, allow_nested=False, is_function=False)
        inner.vars[p] = pt
        inner.own = {p}
        body = self.block(inner, 1, i + "    ", self.r.randint(1, 3))
        body.append(f"{i}    return {self.expr(rt, inner, 0)}")
        # What the block reads is captured: never reassigned afterwards,
        # anywhere in the function (the def stays in scope after its block).
        scope.captured |= set(scope.vars)
        v = self.fresh("b")
        arg = self.expr(pt, scope, 1)
        scope.define(v, rt)
        return ([f"{i}async def {name}({p}: {pt}) -> {rt}:"] + body +
                [f"{i}{v}: {rt} = await {name}({arg})"])

    # Programs ----------------------------------------------------------
    def function(self, index: int) -> list[str]:
        f = self.funcs[index]
        callees = self.funcs[index + 1:]
        scope = Scope(self, dict(f.params), callees, f.result, budget=3, allow_spawn=True,
                      allow_nested=True, is_function=True)
        scope.own = set()  # parameters stay as given (readable, never reassigned)
        lines = [f"@gasync.jit",
                 f"async def {f.name}({self.log_params}"
                 + ", ".join(f"{n}: {t}" for n, t in f.params) + f") -> {f.result}:"]
        body = self.block(scope, 0, "    ", self.r.randint(2, 6), top=True)
        while scope.tasks:
            body += self.join(scope, "    ", self.r.randrange(len(scope.tasks)))
        body.append(f"    return {self.expr(f.result, scope, 0)}")
        return lines + body

    def program(self) -> tuple[str, list[int]]:
        lines = []
        for index in reversed(range(self.n_funcs)):
            lines += self.function(index) + [""]
        args = [self.r.randint(t.min, t.max) if self.r.random() < 0.3 else self.r.randint(-50, 50)
                for _, t in self.funcs[0].params]
        return "\n".join(lines), args


class Scope:
    def __init__(self, gen, vars_, callees, result, *, budget, allow_spawn, allow_nested,
                 is_function):
        self.gen = gen
        self.vars = vars_
        self.own: set[str] = set()
        self.frozen: set[str] = set()
        """Not assigned in this block (loop counters)."""
        self.captured: set[str] = set()
        """Captured by a nested async def: never assigned again; shared by the
        function's blocks."""
        self.callees = callees
        self.result = result
        self.budget = budget
        self.allow_spawn = allow_spawn
        self.allow_nested = allow_nested
        self.is_function = is_function
        self.tasks: list[str] = []
        """Spawned, not yet joined; shared with the function's inner blocks."""
        self.loop_depth = 0

    def define(self, name, t):
        self.vars[name] = t
        self.own.add(name)

    def child(self, frozen_extra=()) -> "Scope":
        """A nested block: sees the outer names; what it defines ends with it."""
        c = Scope(self.gen, dict(self.vars), self.callees, self.result, budget=self.budget,
                  allow_spawn=False, allow_nested=self.allow_nested,
                  is_function=self.is_function)
        c.own = set(self.own)
        c.tasks = self.tasks
        c.captured = self.captured
        c.frozen = set(self.frozen) | set(frozen_extra)
        c.loop_depth = self.loop_depth
        return c


def generate(seed: int, slot_size: int | None = None) -> tuple[str, list[int]]:
    """(the program's body, without the import header; f0's scalar arguments)."""
    return Gen(seed, slot_size).program()


def renamed(body: str, seed: int) -> str:
    """The program with its functions f0, f1, ... named s<seed>_f0, ...: many
    programs in one module."""
    return re.sub(r"\bf(\d+)\b", rf"s{seed}_f\1", body)


def reference_namespace() -> dict:
    """What the program's names mean under asyncio."""
    async def yield_now():
        await asyncio.sleep(0)

    shim = types.SimpleNamespace(jit=lambda f: f, spawn=asyncio.create_task, yield_now=yield_now,
                                 block_on=asyncio.run)
    return {"gasync": shim, "i8": i8, "i16": i16, "i32": i32, "i64": i64, "Array": _AnyArray()}


class _AnyArray:
    def __getitem__(self, key):
        return np.ndarray
