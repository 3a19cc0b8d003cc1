"""The user-facing names of the Python frontend. MLIR-free: compiling imports
MLIR on first use, so `import gasync` and running bundles need none.

    @gasync.jit        async def (or plain def) compiled by gasync
    @gasync.kernel     def compiled to a GPU kernel; k[grid, block](args)
    gasync.block_on    from the host: compile for the CPU and run
    gasync.spawn, gasync.yield_now, gasync.thread_id, ...: meaningful only
                       inside compiled functions
"""

from __future__ import annotations

import inspect

from gasync.runtime.errors import InvalidProgram
from gasync.runtime.errors import RuntimeFault as _RuntimeFault


class CompileError(InvalidProgram):
    """A program outside the frontend's subset, or one the gasync verifier
    rejects; the message starts with `FILE:LINE:COL: error:`."""


class CompileWarning(UserWarning):
    """Something compiled but likely wrong (a task never joined); the message
    starts with `FILE:LINE:COL: warning:`."""


class ArgumentCountError(CompileError, TypeError):
    """A host call or kernel launch with the wrong number of arguments."""


class RuntimeFault(_RuntimeFault):
    """A fault while running (division by zero, pool overflow, watchdog,
    deadlock, a device fault): `fault` says which, `function` and `line` where."""

    def __init__(self, fault: str, function: str, where: str):
        super().__init__(f"{where}: in '{function}': {fault}", fault)
        self.function, self.where = function, where


class _Function:
    """What the two decorators share: the Python function and its source."""

    def __init__(self, fn, options: dict):
        self.fn = fn
        self.options = dict(options)
        self.__name__ = fn.__name__
        self.__qualname__ = fn.__qualname__
        self.__doc__ = fn.__doc__
        self.is_async = inspect.iscoroutinefunction(fn)

    @property
    def _compiler(self):
        from . import compiler
        return compiler


class JitFunction(_Function):
    """An `async def` (or a synchronous `def`) compiled by gasync.

    Calling it gives a `Call`: from the host, hand it to `gasync.block_on`;
    inside compiled code it is a future to await, spawn or block on.
    """

    def __call__(self, *args) -> "Call":
        return Call(self, args)

    def mlir(self, *args) -> str:
        """The gasync IR of this function and everything it reaches (with a host
        entry for `args`' types when args are given)."""
        from . import host
        if args:
            return host.module_text(self, host.check_args(self, host.signature_of(self).params,
                                                          args))
        return self._compiler.compile_functions([self])

    def __repr__(self) -> str:
        return f"<gasync.jit {self.__qualname__}>"


class Call:
    """`f(args)` of a jit function, not yet run (like a coroutine object)."""

    def __init__(self, function: JitFunction, args: tuple):
        self.function, self.args = function, args

    def __repr__(self) -> str:
        return f"<gasync call {self.function.__qualname__}{self.args!r}>"


def jit(fn=None, **options):
    """Decorate an `async def` (or a synchronous `def` used by one) for gasync.

    Options: `pool` (the host block_on's task pool), `watchdog` (the
    executors' poll budget), `bounds_check` (True: an array subscript out of
    bounds is a RuntimeFault naming the line, not undefined)."""
    if fn is None:
        return lambda f: JitFunction(f, options)
    return JitFunction(fn, options)


def kernel(fn=None, **options):
    """Decorate a `def` as a GPU kernel: `k[grid, block](args)` or
    `k[grid, block, stream](args)` launches it. Option: `bounds_check`, as
    for gasync.jit (for the kernel's own array accesses)."""
    from .kernels import KernelFunction
    if fn is None:
        return lambda f: KernelFunction(f, options)
    return KernelFunction(fn, options)


def block_on(call: Call, *, pool: int | None = None, scope: str | None = None):
    """From the host: compile `call`'s function for the CPU, run it to the end,
    return its value (int, float, bool, or None). Inside a kernel it is the
    gasync.block_on op (`pool` task slots, `scope` thread/warp/block)."""
    if not isinstance(call, Call):
        raise TypeError("gasync.block_on takes a call of a gasync.jit function, as in "
                        "gasync.block_on(f(1, 2))")
    if scope not in (None, "thread"):
        raise ValueError("from the host, gasync.block_on runs on one CPU thread: scope "
                         f"'{scope}' is for kernels")
    from . import host
    return host.run(call, pool=pool)


def _compiled_only(name: str):
    def stub(*args, **kwargs):
        raise RuntimeError(f"gasync.{name} can only be used inside a gasync.jit or gasync.kernel "
                           "function")
    stub.__name__ = stub.__qualname__ = name
    return stub


spawn = _compiled_only("spawn")
yield_now = _compiled_only("yield_now")
thread_id = _compiled_only("thread_id")
block_id = _compiled_only("block_id")
block_dim = _compiled_only("block_dim")
grid_dim = _compiled_only("grid_dim")
