"""A reference interpreter of gasync semantics, over `generate`'s AST (not MLIR).

Semantics (docs/design.md, "The dialect"):
- creating a future runs nothing: a call future holds its callee and the
  argument values, an async block holds the values it captures;
- `await` / `block_on` runs the future to completion, then continues;
  `ready(v)` is already complete; `then(f, e...) {callee = @g}` runs `f`,
  then `@g(value, e...)` (no value for a future of none);
- `yield` suspends once and resumes: nothing observable in a single task;
- `spawn` hands the future to the executor; awaiting the task joins it.
  Tasks are scheduled as asyncio does (docs/design.md, the Python frontend): each
  `block_on` runs an executor whose ready queue is FIFO, the root first; a
  spawned task is queued at the back when spawned; `yield` goes to the back;
  a task awaiting an unfinished task waits, and goes to the back when that
  task finishes; awaiting a finished task does not suspend. The generator
  spawns only futures that cannot touch the state cell, so the order shows
  only in the event log (`Event`), which `Interpreter.log` records;
- integers wrap around (32/64-bit, two's complement); division and shifts
  use the guards that the generator prints with them.

Each future is checked to be consumed at most once (the generator's
linearity invariant).
"""

from __future__ import annotations

from collections import deque

from .generate import (DIV_MASK, LOG_EVENTS, STATE_MULT, WIDTH, AllocState, AsyncBlock, Await,
                       BinOp, BlockOn, Cast, Cmp, Const, Event, For, Func, FutureCall, If, Peek,
                       Program, Ready, Select, Spawn, Then, Trace, While, Yield, handle_value)


class InterpError(Exception):
    pass


def mask(w: int) -> int:
    return (1 << w) - 1


def signed(v: int, w: int) -> int:
    v &= mask(w)
    return v - (1 << w) if v >> (w - 1) else v


def _tdiv(a: int, b: int) -> int:
    """C-style division, truncating toward zero."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def binop(op: str, a: int, b: int, ty: str) -> int:
    w = WIDTH[ty]
    m = mask(w)
    if op in ("divsi", "divui", "remsi", "remui"):
        b = (b & DIV_MASK) | 1
    elif op in ("shli", "shrui", "shrsi"):
        b &= w - 1
    if op == "addi":
        r = a + b
    elif op == "subi":
        r = a - b
    elif op == "muli":
        r = a * b
    elif op == "andi":
        r = a & b
    elif op == "ori":
        r = a | b
    elif op == "xori":
        r = a ^ b
    elif op == "shli":
        r = a << b
    elif op == "shrui":
        r = a >> b
    elif op == "shrsi":
        r = signed(a, w) >> b
    elif op == "divsi":
        r = _tdiv(signed(a, w), signed(b, w))
    elif op == "divui":
        r = a // b
    elif op == "remsi":
        sa, sb = signed(a, w), signed(b, w)
        r = sa - _tdiv(sa, sb) * sb
    elif op == "remui":
        r = a % b
    elif op == "maxsi":
        r = max(signed(a, w), signed(b, w))
    elif op == "minsi":
        r = min(signed(a, w), signed(b, w))
    elif op == "maxui":
        r = max(a, b)
    elif op == "minui":
        r = min(a, b)
    else:
        raise InterpError(f"unknown op {op}")
    return r & m


def cmpi(pred: str, a: int, b: int, ty: str) -> int:
    w = WIDTH[ty]
    sa, sb = signed(a, w), signed(b, w)
    return int({
        "eq": a == b, "ne": a != b,
        "slt": sa < sb, "sle": sa <= sb, "sgt": sa > sb, "sge": sa >= sb,
        "ult": a < b, "ule": a <= b, "ugt": a > b, "uge": a >= b,
    }[pred])


def cast(op: str, v: int, src: str, dst: str) -> int:
    if op == "index_cast":
        if dst == "index":
            return signed(v, WIDTH[src])
        return v & mask(WIDTH[dst])
    if op == "extsi":
        return signed(v, WIDTH[src]) & mask(WIDTH[dst])
    if op in ("extui", "trunci"):
        return v & mask(WIDTH[dst])
    raise InterpError(f"unknown cast {op}")


# Futures ---------------------------------------------------------------------


class _Fut:
    consumed = False


class _CallFut(_Fut):
    def __init__(self, fn: str, args: list):
        self.fn, self.args = fn, args


class _ReadyFut(_Fut):
    def __init__(self, value):
        self.value = value


class _ThenFut(_Fut):
    def __init__(self, src: _Fut, fn: str, extras: list):
        self.src, self.fn, self.extras = src, fn, extras


class _BlockFut(_Fut):
    def __init__(self, stmt: AsyncBlock, env: dict, fname: str):
        self.stmt, self.env, self.fname = stmt, env, fname


class _Task:
    """A task of an executor: `run` is the generator that polls its future."""

    def __init__(self, run):
        self.run = run
        self.done = False
        self.joined = False
        self.result = None
        self.waiter: _Task | None = None


# What a task's generator yields when it suspends: to the back of the queue
# (a yield), or to wait for the task it awaits.
_REQUEUE = "requeue"
_JOIN = "join"


def _no_suspension(gen):
    """Run generator `gen` (code outside any executor) to its end: its value."""
    try:
        next(gen)
    except StopIteration as stop:
        return stop.value
    raise InterpError("a suspension outside async code")


class Interpreter:
    def __init__(self, program: Program, step_limit: int = 5_000_000):
        self.program = program
        self.funcs: dict[str, Func] = {f.name: f for f in program.funcs}
        self.steps = 0
        self.step_limit = step_limit
        self.observed: dict[tuple[str, str], int] = {}
        """(function, value name) -> the last value it took (for the minimiser)."""
        self.log: list[tuple[int, int]] = []
        """The event log's (site, value) pairs, the first LOG_EVENTS of them."""
        self.events = 0
        """How many events were appended (also those past LOG_EVENTS)."""
        self.queue: deque | None = None
        """The ready queue of the executor running now (None: outside block_on)."""
        self.live = 0
        self.max_live = 0
        """Spawned tasks not yet joined: now, and the most at once (the pool they need)."""

    # entry ------------------------------------------------------------------
    def run(self, args: tuple[int, ...] | None = None) -> int:
        """The entry's result as a signed 32-bit integer."""
        args = self.program.args if args is None else args
        main = self.funcs[self.program.entry]
        vals = [a & mask(WIDTH[p.ty]) for a, p in zip(args, main.params) if p.ty != "log"]
        vals += [self.log for p in main.params if p.ty == "log"]
        r = _no_suspension(self.call(main.name, vals))
        return signed(r, 32)

    def call(self, name: str, args: list):
        """A generator: runs @name (suspending where it suspends), returns its value."""
        f = self.funcs[name]
        if len(args) != len(f.params):
            raise InterpError(f"@{name} takes {len(f.params)} arguments, got {len(args)}")
        env = {p.name: a for p, a in zip(f.params, args)}
        yield from self.body(f.body, env, name)
        return env[f.retval.name] if f.retval is not None else None

    def force(self, fut: _Fut):
        """A generator: polls `fut` to completion in the task running it, returns its value."""
        if not isinstance(fut, _Fut):
            raise InterpError(f"not a future: {fut!r}")
        if fut.consumed:
            raise InterpError("a future was consumed twice")
        fut.consumed = True
        if isinstance(fut, _CallFut):
            return (yield from self.call(fut.fn, fut.args))
        if isinstance(fut, _ReadyFut):
            return fut.value
        if isinstance(fut, _ThenFut):
            v = yield from self.force(fut.src)
            return (yield from self.call(fut.fn, ([] if v is None else [v]) + fut.extras))
        if isinstance(fut, _BlockFut):
            env = dict(fut.env)
            yield from self.body(fut.stmt.body, env, fut.fname)
            return env[fut.stmt.ret.name] if fut.stmt.ret is not None else None
        raise InterpError(f"unknown future {fut!r}")

    def join(self, task: _Task):
        """A generator: awaits `task` (suspends only while it has not finished)."""
        if not isinstance(task, _Task):
            raise InterpError(f"not a task: {task!r}")
        if task.joined:
            raise InterpError("a task was joined twice")
        task.joined = True
        if not task.done:
            yield (_JOIN, task)
        self.live -= 1
        return task.result

    def spawn(self, fut) -> _Task:
        if not isinstance(fut, _Fut) or fut.consumed:
            raise InterpError("spawn of a consumed future or of a task")
        if self.queue is None:
            raise InterpError("spawn outside block_on")
        task = _Task(self.force(fut))
        self.queue.append(task)  # at the back, when spawned
        self.live += 1
        self.max_live = max(self.max_live, self.live)
        return task

    def block_on(self, fut):
        """Run an executor whose root is `fut` until the root finishes: its value."""
        root = _Task(self.force(fut))
        outer, self.queue = self.queue, deque([root])
        try:
            while not root.done:
                if not self.queue:
                    raise InterpError("deadlock: no task is ready")
                task = self.queue.popleft()
                try:
                    why, what = next(task.run)
                except StopIteration as stop:
                    task.done, task.result = True, stop.value
                    if task.waiter is not None:  # the joiner goes to the back
                        self.queue.append(task.waiter)
                        task.waiter = None
                    continue
                if why == _REQUEUE:
                    self.queue.append(task)
                else:
                    what.waiter = task
        finally:
            self.queue = outer
        return root.result

    # statements ---------------------------------------------------------------
    def body(self, stmts: list, env: dict, fname: str):
        """A generator, as is `stmt`: they yield where the task suspends."""
        for s in stmts:
            yield from self.stmt(s, env, fname)

    def set(self, env: dict, fname: str, var, value) -> None:
        env[var.name] = value
        if isinstance(value, int):
            self.observed[(fname, var.name)] = value

    def stmt(self, s, env: dict, fname: str):
        self.steps += 1
        if self.steps > self.step_limit:
            raise InterpError("step limit exceeded")
        g = env.__getitem__
        if isinstance(s, Const):
            v = s.value if s.dst.ty == "index" else s.value & mask(WIDTH[s.dst.ty])
            self.set(env, fname, s.dst, v)
        elif isinstance(s, BinOp):
            self.set(env, fname, s.dst, binop(s.op, g(s.lhs.name), g(s.rhs.name), s.dst.ty))
        elif isinstance(s, Cmp):
            self.set(env, fname, s.dst, cmpi(s.pred, g(s.lhs.name), g(s.rhs.name), s.lhs.ty))
        elif isinstance(s, Select):
            self.set(env, fname, s.dst, g(s.a.name) if g(s.cond.name) else g(s.b.name))
        elif isinstance(s, Cast):
            self.set(env, fname, s.dst, cast(s.op, g(s.src.name), s.src.ty, s.dst.ty))
        elif isinstance(s, AllocState):
            env[s.dst.name] = [g(s.init.name)]
        elif isinstance(s, Trace):
            cell = g(s.st.name)
            cell[0] = (cell[0] * STATE_MULT + g(s.val.name)) & mask(32)
        elif isinstance(s, Peek):
            self.set(env, fname, s.dst, g(s.st.name)[0])
        elif isinstance(s, Event):
            if self.events < LOG_EVENTS:
                self.log.append((s.site, g(s.val.name)))
            self.events += 1
        elif isinstance(s, FutureCall):
            env[s.dst.name] = _CallFut(s.callee, [g(a.name) for a in s.args])
        elif isinstance(s, Ready):
            env[s.dst.name] = _ReadyFut(g(s.val.name) if s.val is not None else None)
        elif isinstance(s, Then):
            env[s.dst.name] = _ThenFut(g(s.src.name), s.callee, [g(a.name) for a in s.extras])
        elif isinstance(s, AsyncBlock):
            env[s.dst.name] = _BlockFut(s, dict(env), fname)
        elif isinstance(s, Spawn):
            env[s.dst.name] = self.spawn(g(s.src.name))
        elif isinstance(s, (Await, BlockOn)):
            src = g(s.src.name)
            if isinstance(s, BlockOn):
                v = self.block_on(src)
            elif isinstance(src, _Task):
                v = yield from self.join(src)
            else:
                v = yield from self.force(src)
            if s.dst is not None:
                self.set(env, fname, s.dst, v)
        elif isinstance(s, Yield):
            if self.queue is None:
                raise InterpError("yield outside block_on")
            yield (_REQUEUE, None)
        elif isinstance(s, If):
            if g(s.cond.name):
                yield from self.body(s.then_body, env, fname)
                vals = [g(v.name) for v in s.then_yield]
            else:
                yield from self.body(s.else_body, env, fname)
                vals = [g(v.name) for v in s.else_yield]
            for r, v in zip(s.results, vals):
                self.set(env, fname, r, v)
        elif isinstance(s, For):
            ub = (g(s.ub_src.name) & 3) if s.ub_src is not None else s.ub
            vals = [g(v.name) for v in s.inits]
            iv = s.lb
            while iv < ub:
                self.set(env, fname, s.iv, iv)
                for it, v in zip(s.iters, vals):
                    self.set(env, fname, it, v)
                yield from self.body(s.body, env, fname)
                vals = [g(v.name) for v in s.yields]
                iv += s.step
            for r, v in zip(s.results, vals):
                self.set(env, fname, r, v)
        elif isinstance(s, While):
            lim = signed(g(s.lim_src.name) & 3, 32)
            count, vals = 0, [g(v.name) for v in s.inits]
            while True:
                self.set(env, fname, s.bcount, count)
                for b, v in zip(s.bargs, vals):
                    self.set(env, fname, b, v)
                yield from self.body(s.before, env, fname)
                count = g(s.bcount.name)
                vals = [g(v.name) for v in s.cargs]
                if not signed(count, 32) < lim:
                    break
                self.set(env, fname, s.acount, count)
                for a, v in zip(s.aargs, vals):
                    self.set(env, fname, a, v)
                yield from self.body(s.after, env, fname)
                count = (g(s.acount.name) + 1) & mask(32)
                vals = [g(v.name) for v in s.yields]
            self.set(env, fname, s.rcount, count)
            for r, v in zip(s.results, vals):
                self.set(env, fname, r, v)
        else:
            raise InterpError(f"unknown statement {s!r}")


def interpret(program: Program, args: tuple[int, ...] | None = None) -> int:
    """The value that the program's entry returns, as a signed 32-bit integer."""
    return Interpreter(program).run(args)


def interpret_with_log(program: Program) -> tuple[int, int, list[tuple[int, int]]]:
    """(the entry's result, how many events, the first LOG_EVENTS (site, value) pairs)."""
    interp = Interpreter(program)
    result = interp.run()
    return result, interp.events, interp.log


__all__ = ["InterpError", "Interpreter", "binop", "cast", "cmpi", "handle_value", "interpret",
           "interpret_with_log", "signed"]
