"""gasync-lower-hardware-futures: the hardware futures and their signals become
async functions and calls of the target's primitives.

Each hardware future (`flag_wait`, `mbarrier_wait`, `bulk_store`, `sleep`,
and a channel's `send` and `recv`) becomes a `gasync.future` of an async
function made for it, whose body tests the hardware once per poll and yields
while the test fails:

    func.func private @gasync_flag_wait_0(%flag: !llvm.ptr, %expected: i32) -> i32
        attributes {gasync.async} {
      %seen = scf.while : () -> i32 {
        %v = func.call @gasync_hw_load_acquire_i32(%flag, %scope)
        %ready = arith.cmpi eq, %v, %expected : i32
        scf.condition(not %ready) %v : i32      // pending: yield, test again
      } do { "gasync.yield"() ... }
      return %seen : i32
    }

So the coroutine lowering makes its poll one non-blocking test: awaiting
it in async code suspends the task while it is pending, and a block_on's
poll loop re-polls it. The function carries the op's location, so faults
and the watchdog name the op. The signalling ops (`flag_store`, `flag_add`,
`mbarrier_init`, `mbarrier_arrive`, `mbarrier_arrive_expect_tx`, `bulk_load`,
`channel_init`, `release`) become calls. A wait on another thread (a flag, an
mbarrier, a channel) has an idle-wait limit (`idle-wait-ms`, IdleLimit): a
hang becomes a fault that names the op and what it waits on.

The primitives (`gasync_hw_*`) have one name and type on every target: the
target's runtime link defines them (runtime/device/hardware.mlir with NVVM
ops, runtime/cpu/hardware.mlir for one CPU thread). A memref operand becomes
the generic address of its first element. Bulk copies check at run time
that both addresses are 16-byte aligned (the verifier checked the size and
whatever offset is static); a misaligned copy is skipped and faults
(abi.Fault.MISALIGNED_COPY), naming the op.

Runs after gasync-verify and gasync-clone-into-gpu-modules (each symbol table
gets its own functions), before the coroutine lowering.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from mlir import ir
from mlir.dialects import arith, func, llvm, memref, scf

from gasync.dialect import memory
from gasync.dialect.diagnostics import position
from gasync.dialect import types as gt
from gasync.dialect.catalogue import (ASYNC_ATTR, BULK_LOAD, BULK_STORE, CALLEE, CHANNEL_INIT,
                                      FLAG_ADD, FLAG_STORE, FLAG_WAIT, HARDWARE_OPS,
                                      MBARRIER_ARRIVE, MBARRIER_ARRIVE_EXPECT_TX, MBARRIER_INIT,
                                      MBARRIER_WAIT, MEMORY_SCOPE, PREDICATE, RECV, RELEASE, SEND,
                                      SLEEP, YIELD)
from gasync.dialect.ir_utils import walk
from gasync.runtime import abi

from . import executor
from . import frame as fr
from .base import ModulePass, PassContext, register
from .outline_async_blocks import nearest_symbol_table
from .site_table import SiteTable, source_function

HARDWARE_NAMES = frozenset(spec.name for spec in HARDWARE_OPS)
WAITS = frozenset(spec.name for spec in (FLAG_WAIT, MBARRIER_WAIT, SEND, RECV))
"""The futures that wait on another thread (a sleep or a store's read ends by itself)."""


def buffer_description(value: ir.Value) -> str:
    """How the source names a memref: its global, where it is allocated, or
    which argument of which function it is."""
    owner = value.owner
    if isinstance(owner, ir.Block):
        parent = owner.owner
        parent = getattr(parent, "operation", parent)
        index_ = value.arg_number
        if parent is not None and "sym_name" in parent.attributes:
            return f"argument {index_} of '@{ir.StringAttr(parent.attributes['sym_name']).value}'"
        return f"block argument {index_}"
    owner = getattr(owner, "operation", owner)
    if owner.name == "memref.get_global":
        return f"@{ir.FlatSymbolRefAttr(owner.attributes['name']).value}"
    return f"the {owner.name} at {position_text(owner.location)}"


def position_text(loc: ir.Location) -> str:
    pos = position(loc)
    return f"{pos.line}:{pos.col}"


def wait_description(op: ir.Operation) -> str:
    """What a wait's fault names: the op and the flag, mbarrier or channel."""
    thing = {FLAG_WAIT.name: "flag", MBARRIER_WAIT.name: "mbarrier"}.get(op.name, "channel")
    return f"the {op.name} on {thing} {buffer_description(op.operands[0])}"


def primitive_types(name: str) -> tuple[list[ir.Type], list[ir.Type]]:
    """The argument and result types of the runtime primitive `name`."""
    p, i1, i32, i64 = fr.ptr(), fr.i1(), fr.i32(), fr.i64()
    for width, t in ((32, i32), (64, i64)):
        if name == f"gasync_hw_load_acquire_i{width}":
            return [p, i32], [t]
        if name == f"gasync_hw_store_release_i{width}":
            return [p, t, i32], []
        if name == f"gasync_hw_add_release_i{width}":
            return [p, t, i32], [t]
    return {
        "gasync_hw_mbarrier_init": ([p, i32], []),
        "gasync_hw_mbarrier_arrive": ([p], []),
        "gasync_hw_mbarrier_arrive_expect_tx": ([p, i32], []),
        "gasync_hw_mbarrier_test_parity": ([p, i32], [i1]),
        "gasync_hw_bulk_load": ([p, p, i32, p], []),
        "gasync_hw_bulk_store": ([p, p, i32], []),
        "gasync_hw_bulk_wait_read": ([], []),
        "gasync_hw_now_ns": ([], [i64]),
        "gasync_hw_faulted": ([], [i1]),
        "gasync_hw_wait_fault": ([i32, i32, i32, p, i64, i64], []),
        "gasync_hw_stalled": ([i32, i32, p, i64, i64], []),
        "gasync_hw_progress": ([], []),
        "gasync_hw_sent_before": ([p, i32], [i1]),
        "gasync_rt_fault_first": ([i32, i32], [i1]),
    }[name]


def string_option(op: ir.Operation, name: str, default: str) -> str:
    return ir.StringAttr(op.attributes[name]).value if name in op.attributes else default


def index(n: int) -> ir.Value:
    return arith.constant(ir.IndexType.get(), n)


def address(value: ir.Value, extra_bytes: ir.Value | None = None) -> ir.Value:
    """The generic address (`!llvm.ptr`) of a memref's first element, plus
    `extra_bytes` (an index) if given."""
    t = ir.MemRefType(value.type)
    base = memref.extract_aligned_pointer_as_index(value)
    offset = memref.ExtractStridedMetadataOp(value).offset
    at = arith.addi(base, arith.muli(offset, index(memory.element_bytes(t))))
    if extra_bytes is not None:
        at = arith.addi(at, extra_bytes)
    space = memory.address_space(t)
    pointer = llvm.inttoptr(llvm.PointerType.get(space), arith.index_cast(fr.i64(), at))
    if space != memory.GENERIC:
        pointer = llvm.addrspacecast(fr.ptr(), pointer)
    return pointer


def copy_bytes(value: ir.Value) -> int:
    t = ir.MemRefType(value.type)
    return memory.num_elements(t) * memory.element_bytes(t)


@dataclasses.dataclass(frozen=True)
class Message:
    """Where message `i` of a channel meets: its slot, the slot's full and
    empty mbarriers, and the parity of the phase that carries it (the slot's
    round i / N, mod 2)."""

    slot_index: ir.Value
    """i mod N."""
    slot: ir.Value
    full: ir.Value
    empty: ir.Value
    parity: ir.Value

    @staticmethod
    def at(slots: ir.Value, state: ir.Value, i: ir.Value) -> "Message":
        n = ir.MemRefType(slots.type).shape[0]
        s = arith.remui(i, index(n))
        round_ = arith.divui(i, index(n))
        parity = arith.index_cast(fr.i32(), arith.andi(round_, index(1)))
        barrier = index(8)
        return Message(s, address(slots, arith.muli(s, index(slot_bytes(slots)))),
                       address(state, arith.muli(s, barrier)),
                       address(state, arith.muli(arith.addi(s, index(n)), barrier)),
                       parity)


def slot_bytes(slots: ir.Value) -> int:
    t = ir.MemRefType(slots.type)
    return copy_bytes(slots) // t.shape[0]


class SymbolTableLowering:
    """The primitives' declarations and the futures' functions of one symbol table."""

    def __init__(self, table_op: ir.Operation):
        self.table_op = table_op
        self.table = ir.SymbolTable(table_op)
        self.body = table_op.regions[0].blocks[0]
        self.declared_fault_hook = False

    def fresh_name(self, base: str) -> str:
        n = 0
        while f"{base}_{n}" in self.table:
            n += 1
        return f"{base}_{n}"

    def async_function(self, base: str, args: Sequence[ir.Value], value: ir.Type | None,
                       body: Callable[[list[ir.Value]], ir.Value | None]) -> ir.Value:
        """A future (at the insertion point) of a new async function of `args`'
        types returning `value`, whose body `body(arguments)` builds."""
        name = self.fresh_name(base)
        with ir.InsertionPoint(self.body):
            fn = func.FuncOp(name, ir.FunctionType.get([a.type for a in args],
                                                       gt.value_types(value or ir.NoneType.get())),
                             visibility="private")
        fn.operation.attributes[ASYNC_ATTR] = ir.UnitAttr.get()
        self.table.insert(fn.operation)
        entry = fn.add_entry_block()
        with ir.InsertionPoint(entry):
            result = body(list(entry.arguments))
            func.ReturnOp([] if result is None else [result])
        return ir.Operation.create("gasync.future", results=[gt.future_type(value)],
                                   operands=list(args),
                                   attributes={CALLEE: ir.FlatSymbolRefAttr.get(name)}).result

    def fault_hook(self) -> None:
        if not self.declared_fault_hook:
            executor.declare_fault_hook(self.table_op)
            self.declared_fault_hook = True

    def declare(self, name: str) -> None:
        """Declare the primitive `name` (if not yet) without calling it."""
        inputs, results = primitive_types(name)
        if name not in self.table:
            with self.table_op.location, ir.InsertionPoint.at_block_begin(self.body):
                decl = func.FuncOp(name, ir.FunctionType.get(inputs, results),
                                   visibility="private")
            self.table.insert(decl.operation)

    def call(self, name: str, args: Sequence[ir.Value]) -> ir.Value | None:
        self.declare(name)
        op = func.CallOp(primitive_types(name)[1], ir.FlatSymbolRefAttr.get(name), list(args))
        return op.result if op.results else None

    def checked_copy(self, dst: ir.Value, src: ir.Value, site: int,
                     issue: Callable[[], None]) -> None:
        """`issue()` if both addresses are 16-byte aligned, else the fault."""
        self.fault_hook()
        low = arith.constant(fr.i64(), abi.BULK_ALIGN - 1)
        either = arith.ori(llvm.ptrtoint(fr.i64(), dst), llvm.ptrtoint(fr.i64(), src))
        misaligned = arith.cmpi(arith.CmpIPredicate.ne, arith.andi(either, low),
                                arith.constant(fr.i64(), 0))
        cold = llvm.intr_expect(misaligned, arith.constant(fr.i1(), 0))
        branch = scf.IfOp(cold, has_else=True)
        with ir.InsertionPoint(branch.then_block):
            executor.report_fault(abi.Fault.MISALIGNED_COPY, site)
            scf.YieldOp([])
        with ir.InsertionPoint(branch.else_block):
            issue()
            scf.YieldOp([])


@dataclasses.dataclass(frozen=True)
class Waited:
    """What a wait's idle-wait fault records (runtime/abi.py's Status.WAIT*):
    the flag or mbarrier, and the value or parity waited for."""

    word: int
    """Status.WAIT: the WaitKind, and a flag's predicate."""
    address: ir.Value
    expected: ir.Value
    """An integer, recorded zero-extended to 64 bits."""

    @staticmethod
    def mbarrier(bar: ir.Value, parity: ir.Value) -> "Waited":
        return Waited(int(abi.WaitKind.MBARRIER), bar, parity)

    @staticmethod
    def flag(flag: ir.Value, expected: ir.Value, predicate: str) -> "Waited":
        width = ir.IntegerType(expected.type).width
        kind = abi.WaitKind.FLAG_I32 if width == 32 else abi.WaitKind.FLAG_I64
        return Waited(int(kind) | abi.FLAG_PREDICATES.index(predicate) << abi.WAIT_PREDICATE_SHIFT,
                      flag, expected)


def widened(v: ir.Value) -> ir.Value:
    """An integer as an i64, zero-extended."""
    return v if ir.IntegerType(v.type).width == 64 else arith.extui(fr.i64(), v)


def poll_until(test: Callable[[], tuple[ir.Value, list[ir.Value]]],
               carried: Sequence[ir.Type] = (), idle: "IdleLimit | None" = None,
               waited: Waited | None = None) -> list[ir.Value]:
    """A loop that runs `test()` (-> ready, values) once per poll and yields
    while it is not ready; the values of the last test. With `idle`, a wait
    pending for longer than its limit faults, recording `waited` and its first
    value (a flag's value as seen), and gives up."""
    bookkeeping = [fr.i32(), fr.i64()] if idle else []  # pending polls, when the limit started
    loop = scf.WhileOp(list(carried) + bookkeeping,
                       [arith.constant(t, 0) for t in bookkeeping])
    before = loop.before.blocks.append(*bookkeeping)
    with ir.InsertionPoint(before):
        ready, values = test()
        pending = arith.xori(ready, arith.constant(fr.i1(), 1))
        if idle:
            pending, state = idle.check(pending, *before.arguments, waited, values)
            values = values + state
        scf.ConditionOp(pending, values)
    after = loop.after.blocks.append(*carried, *bookkeeping)
    with ir.InsertionPoint(after):
        ir.Operation.create(YIELD.name)
        scf.YieldOp(list(after.arguments)[len(carried):])
    return list(loop.results)[:len(carried)]


@dataclasses.dataclass(frozen=True)
class IdleLimit:
    """The idle-wait limit of one wait: after `ms` milliseconds pending it
    reports abi.Fault.HARDWARE_WAIT at `site` and gives up; it also gives up
    (silently) once the run has faulted, as the host reports the first fault.
    The clock (and whether the run has faulted) is read on the
    IDLE_CHECK_POLLS-th pending poll, which starts the limit, and every
    IDLE_CHECK_POLLS after: never on the first pending poll, whose clock read
    and status load would delay a handoff that completes a moment later
    (bench/results/pipeline.md)."""

    lowering: "SymbolTableLowering"
    ms: int
    site: int

    def check(self, pending: ir.Value, polls: ir.Value, since: ir.Value, waited: Waited,
              values: list[ir.Value]) -> tuple[ir.Value, list[ir.Value]]:
        """(still waiting, the next [polls, since]); `values` are the test's
        (a flag's: the value seen, which the fault records). A pending re-poll
        also tells the runtime that the wait stalled (gasync_hw_stalled: the
        CPU's deadlock detection; nothing on the GPU)."""
        call = self.lowering.call
        i1, i32, i64 = fr.i1(), fr.i32(), fr.i64()

        def wait_words() -> list[ir.Value]:
            seen = widened(values[0]) if values else arith.constant(i64, 0)
            return [arith.constant(i32, self.site), arith.constant(i32, waited.word),
                    waited.address, widened(waited.expected), seen]
        again = arith.andi(pending, arith.cmpi(arith.CmpIPredicate.ne, polls,
                                               arith.constant(i32, 0)))
        stall = scf.IfOp(again)
        with ir.InsertionPoint(stall.then_block):
            call("gasync_hw_stalled", wait_words())
            scf.YieldOp([])
        counted = arith.addi(polls, arith.constant(i32, 1))
        mask = arith.constant(i32, abi.IDLE_CHECK_POLLS - 1)
        due = arith.andi(pending, arith.cmpi(arith.CmpIPredicate.eq,
                                             arith.andi(polls, mask), mask))
        branch = scf.IfOp(llvm.intr_expect(due, arith.constant(i1, 0)), [i1, i64], has_else=True)
        with ir.InsertionPoint(branch.then_block):
            now = call("gasync_hw_now_ns", [])
            first = arith.cmpi(arith.CmpIPredicate.eq, polls, mask)
            start = arith.select(first, now, since)
            over = arith.cmpi(arith.CmpIPredicate.ugt, arith.subi(now, start),
                              arith.constant(i64, self.ms * 1_000_000))
            report = scf.IfOp(over)
            with ir.InsertionPoint(report.then_block):
                call("gasync_hw_wait_fault",
                     [arith.constant(i32, int(abi.Fault.HARDWARE_WAIT))] + wait_words())
                scf.YieldOp([])
            give_up = arith.ori(over, call("gasync_hw_faulted", []))
            scf.YieldOp([give_up, start])
        with ir.InsertionPoint(branch.else_block):
            scf.YieldOp([arith.constant(i1, 0), since])
        give_up, start = branch.results
        still = arith.andi(pending, arith.xori(give_up, arith.constant(i1, 1)))
        return still, [arith.select(pending, counted, polls), start]


@register
@dataclasses.dataclass(frozen=True)
class LowerHardwareFuturesPass(ModulePass):
    name = "gasync-lower-hardware-futures"
    summary = ("lower the hardware futures to async functions that test the hardware once "
               "per poll, and their signals to calls of the target's primitives")
    idle_wait_ms: int = dataclasses.field(default=abi.DEFAULT_IDLE_WAIT_MS,
                                          metadata={"range": (0, abi.MAX_IDLE_WAIT_MS)})
    """Milliseconds a flag, mbarrier or channel wait may stay pending before it
    stops the run with a fault naming it (0: no limit)."""

    def apply(self, module: ir.Operation, ctx: PassContext) -> None:
        ops = [op for op in walk(module) if op.name in HARDWARE_NAMES]
        if not ops:
            return
        sites = SiteTable(module, ctx.diags.source_name)
        tables: dict[ir.Operation, SymbolTableLowering] = {}
        for op in ops:
            table_op = nearest_symbol_table(op)
            lowering = tables.get(table_op)
            if lowering is None:
                lowering = tables[table_op] = SymbolTableLowering(table_op)
            idle = None
            if self.idle_wait_ms and op.name in WAITS:
                # gasync_hw_wait_fault calls gasync_rt_fault_first: declared
                # here, the executor's runtime link defines it.
                lowering.declare("gasync_rt_fault_first")
                idle = IdleLimit(lowering, self.idle_wait_ms,
                                 sites.add(wait_description(op), source_function(op), op.location))
            with op.location, ir.InsertionPoint(op):
                replacement = self.lower(op, lowering, sites, idle)
            if replacement is not None:
                op.results[0].replace_all_uses_with(replacement)
            op.erase()
            ctx.stat(self.name, "hardware ops lowered", 1)
        sites.write()

    @staticmethod
    def lower(op: ir.Operation, lowering: SymbolTableLowering, sites: SiteTable,
              idle: IdleLimit | None) -> ir.Value | None:
        """The op's replacement at the insertion point: a future, a value, or None."""
        call = lowering.call
        operands = list(op.operands)
        name = op.name
        if name in (FLAG_WAIT.name, FLAG_STORE.name, FLAG_ADD.name):
            width = ir.IntegerType(operands[1].type).width
            scope = int(abi.MEMORY_SCOPES[string_option(op, MEMORY_SCOPE,
                                                         abi.DEFAULT_MEMORY_SCOPE)])
            flag = address(operands[0])
            if name == FLAG_STORE.name:
                call(f"gasync_hw_store_release_i{width}",
                     [flag, operands[1], arith.constant(fr.i32(), scope)])
                return None
            if name == FLAG_ADD.name:
                return call(f"gasync_hw_add_release_i{width}",
                            [flag, operands[1], arith.constant(fr.i32(), scope)])
            predicate_name = string_option(op, PREDICATE, "eq")
            predicate = arith.CmpIPredicate[predicate_name]
            value_type = operands[1].type

            def flag_body(args):
                flag, expected = args

                def test():
                    seen = call(f"gasync_hw_load_acquire_i{width}",
                                [flag, arith.constant(fr.i32(), scope)])
                    return arith.cmpi(predicate, seen, expected), [seen]
                return poll_until(test, [value_type], idle,
                                  Waited.flag(flag, expected, predicate_name))[0]
            return lowering.async_function("gasync_flag_wait", [flag, operands[1]], value_type,
                                           flag_body)
        if name == MBARRIER_INIT.name:
            call("gasync_hw_mbarrier_init", [address(operands[0]), operands[1]])
            return None
        if name == MBARRIER_ARRIVE.name:
            call("gasync_hw_mbarrier_arrive", [address(operands[0])])
            return None
        if name == MBARRIER_ARRIVE_EXPECT_TX.name:
            call("gasync_hw_mbarrier_arrive_expect_tx", [address(operands[0]), operands[1]])
            return None
        if name == MBARRIER_WAIT.name:
            def barrier_body(args):
                bar, parity = args
                poll_until(lambda: (call("gasync_hw_mbarrier_test_parity", [bar, parity]), []),
                           idle=idle, waited=Waited.mbarrier(bar, parity))
                return None
            return lowering.async_function("gasync_mbarrier_wait",
                                           [address(operands[0]), operands[1]], None,
                                           barrier_body)
        if name == SLEEP.name:
            def sleep_body(args):
                (duration,) = args
                start = call("gasync_hw_now_ns", [])

                def test():
                    # Time passes: a task sleeping is never stalled (the CPU's
                    # deadlock detection; nothing on the GPU).
                    call("gasync_hw_progress", [])
                    elapsed = arith.subi(call("gasync_hw_now_ns", []), start)
                    return arith.cmpi(arith.CmpIPredicate.uge, elapsed, duration), []
                poll_until(test)
                return None
            return lowering.async_function("gasync_sleep", operands, None, sleep_body)
        if name in (CHANNEL_INIT.name, SEND.name, RECV.name, RELEASE.name):
            return LowerHardwareFuturesPass.lower_channel(op, lowering, sites, idle)
        site = sites.add(f"the {name}", source_function(op), op.location)
        size = copy_bytes(operands[0])
        if name == BULK_LOAD.name:
            dst, src, bar = (address(v) for v in operands)
            lowering.checked_copy(dst, src, site, lambda: call(
                "gasync_hw_bulk_load", [dst, src, arith.constant(fr.i32(), size), bar]))
            return None
        assert name == BULK_STORE.name, name

        def store_body(args):
            dst, src = args
            lowering.checked_copy(dst, src, site, lambda: call(
                "gasync_hw_bulk_store", [dst, src, arith.constant(fr.i32(), size)]))
            # One turn for the other tasks before the blocking wait.
            ir.Operation.create(YIELD.name)
            call("gasync_hw_bulk_wait_read", [])
            return None
        return lowering.async_function("gasync_bulk_store", [address(v) for v in operands], None,
                                       store_body)

    @staticmethod
    def lower_channel(op: ir.Operation, lowering: SymbolTableLowering, sites: SiteTable,
                      idle: IdleLimit | None) -> ir.Value | None:
        """A channel op: the full mbarrier of a slot counts the one sending
        arrival (with the bulk copy's bytes for a tile), its empty mbarrier the
        receiving threads' arrivals. A send waits for the empty phase of the
        slot's previous round (parity ^ 1: on a fresh barrier that test passes,
        as CUTLASS's producer starting at phase 1), a recv for the full phase
        of its round."""
        call = lowering.call
        slots, state = op.operands[0], op.operands[1]
        tile = ir.MemRefType(slots.type).rank > 1
        if op.name == CHANNEL_INIT.name:
            n = ir.MemRefType(slots.type).shape[0]
            loop = scf.ForOp(index(0), index(n), index(1))
            with ir.InsertionPoint(loop.body):
                message = Message.at(slots, state, loop.induction_variable)
                call("gasync_hw_mbarrier_init", [message.full, arith.constant(fr.i32(), 1)])
                call("gasync_hw_mbarrier_init", [message.empty, op.operands[2]])
                scf.YieldOp([])
            return None
        message = Message.at(slots, state, op.operands[2])
        if op.name == RELEASE.name:
            call("gasync_hw_mbarrier_arrive", [message.empty])
            return None

        def wait(bar: ir.Value, parity: ir.Value) -> None:
            poll_until(lambda: (call("gasync_hw_mbarrier_test_parity", [bar, parity]), []),
                       idle=idle, waited=Waited.mbarrier(bar, parity))

        if op.name == RECV.name:
            if tile:
                def tile_body(args):
                    full, parity, slot_index = args
                    wait(full, parity)
                    return slot_index
                return lowering.async_function(
                    "gasync_recv", [message.full, message.parity, message.slot_index],
                    ir.IndexType.get(), tile_body)
            value = ir.MemRefType(slots.type).element_type

            def recv_body(args):
                slot, full, empty, parity = args
                wait(full, parity)
                seen = llvm.load(value, slot)
                call("gasync_hw_mbarrier_arrive", [empty])
                return seen
            return lowering.async_function(
                "gasync_recv", [message.slot, message.full, message.empty, message.parity],
                value, recv_body)
        assert op.name == SEND.name, op.name
        payload = op.operands[3]
        site = sites.add(f"the {op.name}", source_function(op), op.location) if tile else None
        sender_site = idle.site if idle else sites.add(wait_description(op), source_function(op),
                                                       op.location)
        size = slot_bytes(slots)
        lowering.fault_hook()

        def send_body(args):
            slot, full, empty, parity, payload = args
            wait(empty, arith.xori(parity, arith.constant(fr.i32(), 1)))
            # Another sender got this message number in first (the CPU sees
            # it exactly; on the GPU the test folds to false).
            twice = call("gasync_hw_sent_before", [full, parity])
            branch = scf.IfOp(llvm.intr_expect(twice, arith.constant(fr.i1(), 0)), has_else=True)
            with ir.InsertionPoint(branch.then_block):
                executor.report_fault(abi.Fault.CHANNEL_SENDERS, sender_site)
                scf.YieldOp([])
            with ir.InsertionPoint(branch.else_block):
                if not tile:
                    llvm.store(payload, slot)
                    call("gasync_hw_mbarrier_arrive", [full])
                else:
                    nbytes = arith.constant(fr.i32(), size)
                    call("gasync_hw_mbarrier_arrive_expect_tx", [full, nbytes])
                    lowering.checked_copy(slot, payload, site, lambda: call(
                        "gasync_hw_bulk_load", [slot, payload, nbytes, full]))
                scf.YieldOp([])
            return None
        return lowering.async_function(
            "gasync_send", [message.slot, message.full, message.empty, message.parity,
                            address(payload) if tile else payload], None, send_body)
