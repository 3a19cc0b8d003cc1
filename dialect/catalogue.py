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

# Hardware futures and the ops that signal them (docs/hardware-futures.md).
# A memref operand stands for the address of its first element (its offset),
# in the memory space of its type: shared memory on the GPU is
# `#gpu.address_space<workgroup>`. The futures' polls are one non-blocking
# test each; awaiting one suspends while it is pending.

PREDICATE = "predicate"
"""flag_wait's comparison, an arith.cmpi predicate name (default "eq")."""
MEMORY_SCOPE = "scope"
"""The flag ops' memory scope: "block", "gpu" (default) or "system"."""

FLAG_WAIT = OpSpec(
    name="gasync.flag_wait",
    summary="a future ready when the flag (an i32 or i64 in memory) compares true with the "
            "expected value; an acquire load; its value is the flag's",
    syntax=('"gasync.flag_wait"(%flag, %expected) {predicate = "eq", scope = "gpu"} : '
            '(memref<1xi32>, i32) -> !gasync.fut<i32>',),
    operands=Arity(2, 2),
    results=Arity(1, 1),
)

FLAG_STORE = OpSpec(
    name="gasync.flag_store",
    summary="store a flag with release ordering at the scope",
    syntax=('"gasync.flag_store"(%flag, %v) {scope = "gpu"} : (memref<1xi32>, i32) -> ()',),
    operands=Arity(2, 2),
    results=Arity(0, 0),
)

FLAG_ADD = OpSpec(
    name="gasync.flag_add",
    summary="atomically add to a flag with release ordering at the scope; gives the old value",
    syntax=('"gasync.flag_add"(%flag, %v) {scope = "gpu"} : (memref<1xi32>, i32) -> i32',),
    operands=Arity(2, 2),
    results=Arity(1, 1),
)

MBARRIER_INIT = OpSpec(
    name="gasync.mbarrier_init",
    summary="initialise an mbarrier (an i64 in shared memory) expecting %count arrivals a phase",
    syntax=('"gasync.mbarrier_init"(%bar, %count) : (memref<1xi64, 3>, i32) -> ()',),
    operands=Arity(2, 2),
    results=Arity(0, 0),
)

MBARRIER_ARRIVE = OpSpec(
    name="gasync.mbarrier_arrive",
    summary="arrive on an mbarrier (release at block scope)",
    syntax=('"gasync.mbarrier_arrive"(%bar) : (memref<1xi64, 3>) -> ()',),
    operands=Arity(1, 1),
    results=Arity(0, 0),
)

MBARRIER_ARRIVE_EXPECT_TX = OpSpec(
    name="gasync.mbarrier_arrive_expect_tx",
    summary="arrive on an mbarrier and add %bytes that bulk copies must complete this phase",
    syntax=('"gasync.mbarrier_arrive_expect_tx"(%bar, %bytes) : (memref<1xi64, 3>, i32) -> ()',),
    operands=Arity(2, 2),
    results=Arity(0, 0),
)

MBARRIER_WAIT = OpSpec(
    name="gasync.mbarrier_wait",
    summary="a future ready when the mbarrier's phase of parity %parity (0 or 1) has completed",
    syntax=('"gasync.mbarrier_wait"(%bar, %parity) : (memref<1xi64, 3>, i32) -> '
            '!gasync.fut<none>',),
    operands=Arity(2, 2),
    results=Arity(1, 1),
)

BULK_LOAD = OpSpec(
    name="gasync.bulk_load",
    summary="start a bulk copy of %src (global) to %dst (shared) that completes its bytes on "
            "the mbarrier",
    syntax=('"gasync.bulk_load"(%dst, %src, %bar) : (memref<256xf32, 3>, memref<256xf32, '
            'strided<[1], offset: ?>>, memref<1xi64, 3>) -> ()',),
    operands=Arity(3, 3),
    results=Arity(0, 0),
)

BULK_STORE = OpSpec(
    name="gasync.bulk_store",
    summary="a future that bulk-copies %src (shared) to %dst (global); ready once the source "
            "has been read (the buffer may be reused)",
    syntax=('"gasync.bulk_store"(%dst, %src) : (memref<256xf32, strided<[1], offset: ?>>, '
            'memref<256xf32, 3>) -> !gasync.fut<none>',),
    operands=Arity(2, 2),
    results=Arity(1, 1),
)

SLEEP = OpSpec(
    name="gasync.sleep",
    summary="a future ready %ns nanoseconds after its first poll (the global timer on the GPU, "
            "the monotonic clock on the CPU)",
    syntax=('"gasync.sleep"(%ns) : (i64) -> !gasync.fut<none>',),
    operands=Arity(1, 1),
    results=Arity(1, 1),
)

# Channels: a bounded ring of N slots (`%slots`, N the first dimension) with
# its state (`%state`, memref<2N x i64>: one full and one empty mbarrier per
# slot, which only the channel ops touch). The i-th send and the i-th recv
# (i counted from 0 by each side, an index) meet in slot i mod N; the
# compiler derives the barriers, phases and arrival counts from i.

CHANNEL_INIT = OpSpec(
    name="gasync.channel_init",
    summary="make a channel of the slots and state buffers for %consumers receiving threads",
    syntax=('"gasync.channel_init"(%slots, %state, %consumers) : (memref<4x256xf32, 3>, '
            'memref<8xi64, 3>, i32) -> ()',),
    operands=Arity(3, 3),
    results=Arity(0, 0),
)

SEND = OpSpec(
    name="gasync.send",
    summary="a future that puts message %i into its slot once the slot is free: a value, "
            "or a tile by a bulk copy from global memory",
    syntax=('"gasync.send"(%slots, %state, %i, %v) : (memref<4xi32, 3>, memref<8xi64, 3>, '
            'index, i32) -> !gasync.fut<none>',
            '"gasync.send"(%slots, %state, %i, %tile) : (memref<4x256xf32, 3>, memref<8xi64, 3>, '
            'index, memref<256xf32, strided<[1], offset: ?>>) -> !gasync.fut<none>'),
    operands=Arity(4, 4),
    results=Arity(1, 1),
)

RECV = OpSpec(
    name="gasync.recv",
    summary="a future ready when message %i has arrived: its value (a scalar channel, whose "
            "slot it frees), or its slot's index (a tile channel: read the slot, then release it)",
    syntax=('"gasync.recv"(%slots, %state, %i) : (memref<4xi32, 3>, memref<8xi64, 3>, index) '
            '-> !gasync.fut<i32>',
            '"gasync.recv"(%slots, %state, %i) : (memref<4x256xf32, 3>, memref<8xi64, 3>, index) '
            '-> !gasync.fut<index>'),
    operands=Arity(3, 3),
    results=Arity(1, 1),
)

RELEASE = OpSpec(
    name="gasync.release",
    summary="a receiving thread is done with message %i's tile: its slot may be refilled",
    syntax=('"gasync.release"(%slots, %state, %i) : (memref<4x256xf32, 3>, memref<8xi64, 3>, '
            'index) -> ()',),
    operands=Arity(3, 3),
    results=Arity(0, 0),
)

HARDWARE_FUTURES = (FLAG_WAIT, MBARRIER_WAIT, BULK_STORE, SLEEP, SEND, RECV)
"""Leaf futures: their poll tests the hardware (gasync-lower-hardware-futures)."""
HARDWARE_OPS = HARDWARE_FUTURES + (FLAG_STORE, FLAG_ADD, MBARRIER_INIT, MBARRIER_ARRIVE,
                                   MBARRIER_ARRIVE_EXPECT_TX, BULK_LOAD, CHANNEL_INIT, RELEASE)

CATALOGUE: dict[str, OpSpec] = {
    spec.name: spec
    for spec in (FUTURE, RETURN, READY, THEN, AWAIT, SPAWN, YIELD, BLOCK_ON) + HARDWARE_OPS
}


def describe() -> str:
    """The catalogue as text, for `--help` and the docs."""
    lines = []
    for spec in CATALOGUE.values():
        lines.append(f"  {spec.name:<34} {spec.summary}")
        for form in spec.syntax:
            lines.append(f"  {'':<34}   {form}")
    return "\n".join(lines)
