"""The gasync op catalogue: every op described once, as data.

The verifier checks ops against these entries, the builders take their
operand and attribute names from them, and `gasync-opt --help` and the docs
print them. docs/design.md ("The dialect") describes what this table encodes.
"""

from __future__ import annotations

import dataclasses
import enum

ASYNC_ATTR = "gasync.async"
"""The unit attribute that marks a `func.func` as an async function."""

CALLEE = "callee"


class Placement(enum.Enum):
    ANYWHERE = "anywhere"
    ASYNC = "inside an async function or async block"
    SYNC = "outside async functions and async blocks"
    ASYNC_BLOCK = "as the terminator of an async block"


@dataclasses.dataclass(frozen=True)
class Arity:
    """How many operands or results an op takes: [least, most]; most=None: any."""

    least: int
    most: int | None

    def admits(self, n: int) -> bool:
        return n >= self.least and (self.most is None or n <= self.most)

    def __str__(self) -> str:
        if self.most == self.least:
            return str(self.least)
        if self.most is None:
            return f"at least {self.least}"
        return f"{self.least} to {self.most}"


@dataclasses.dataclass(frozen=True)
class OpSpec:
    name: str
    summary: str
    syntax: tuple[str, ...]
    operands: Arity
    results: Arity
    attributes: tuple[str, ...] = ()
    """Required attributes (each a flat symbol reference to an async function)."""
    regions: tuple[int, ...] = (0,)
    """The region counts the op may have."""
    placement: Placement = Placement.ANYWHERE
    consumes_handle: bool = False
    """Whether its first operand is a future or task that the op consumes."""

    @property
    def mnemonic(self) -> str:
        return self.name.split(".", 1)[1]


FUTURE = OpSpec(
    name="gasync.future",
    summary="a future of an async function applied to arguments, or of an async block",
    syntax=(
        '"gasync.future"(%args...) {callee = @f} : (A...) -> !gasync.fut<T>',
        '"gasync.future"() ({ ... "gasync.return"(%v) : (T) -> () }) : () -> !gasync.fut<T>',
    ),
    operands=Arity(0, None),
    results=Arity(1, 1),
    regions=(0, 1),
)

RETURN = OpSpec(
    name="gasync.return",
    summary="ends an async block's body with the future's value",
    syntax=('"gasync.return"(%v) : (T) -> ()',),
    operands=Arity(0, 1),
    results=Arity(0, 0),
    placement=Placement.ASYNC_BLOCK,
)

READY = OpSpec(
    name="gasync.ready",
    summary="an already-complete future",
    syntax=('"gasync.ready"(%v) : (T) -> !gasync.fut<T>',),
    operands=Arity(0, 1),
    results=Arity(1, 1),
)

THEN = OpSpec(
    name="gasync.then",
    summary="a future that awaits its first operand, then runs async @g(value, extra...)",
    syntax=('"gasync.then"(%f, %extra...) {callee = @g} : (!gasync.fut<T>, E...) -> !gasync.fut<U>',),
    operands=Arity(1, None),
    results=Arity(1, 1),
    attributes=(CALLEE,),
    consumes_handle=True,
)

AWAIT = OpSpec(
    name="gasync.await",
    summary="suspend the enclosing async function until the future or task is ready",
    syntax=('"gasync.await"(%f) : (!gasync.fut<T>) -> T',
            '"gasync.await"(%t) : (!gasync.task<T>) -> T'),
    operands=Arity(1, 1),
    results=Arity(0, 1),
    placement=Placement.ASYNC,
    consumes_handle=True,
)

SPAWN = OpSpec(
    name="gasync.spawn",
    summary="hand the future to the executor as its own task",
    syntax=('"gasync.spawn"(%f) : (!gasync.fut<T>) -> !gasync.task<T>',),
    operands=Arity(1, 1),
    results=Arity(1, 1),
    placement=Placement.ASYNC,
    consumes_handle=True,
)

YIELD = OpSpec(
    name="gasync.yield",
    summary="cooperative suspension: pending once, then continue",
    syntax=('"gasync.yield"() : () -> ()',),
    operands=Arity(0, 0),
    results=Arity(0, 0),
    placement=Placement.ASYNC,
)

BLOCK_ON = OpSpec(
    name="gasync.block_on",
    summary="outside async code, run the executor until the future completes",
    syntax=('"gasync.block_on"(%f) : (!gasync.fut<T>) -> T',),
    operands=Arity(1, 1),
    results=Arity(0, 1),
    placement=Placement.SYNC,
    consumes_handle=True,
)

CATALOGUE: dict[str, OpSpec] = {
    spec.name: spec for spec in (FUTURE, RETURN, READY, THEN, AWAIT, SPAWN, YIELD, BLOCK_ON)
}


def describe() -> str:
    """The catalogue as text, for `--help` and the docs."""
    lines = []
    for spec in CATALOGUE.values():
        lines.append(f"  {spec.name:<16} {spec.summary}")
        for form in spec.syntax:
            lines.append(f"  {'':<16}   {form}")
    return "\n".join(lines)
