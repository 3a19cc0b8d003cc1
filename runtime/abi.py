"""The task executor's ABI, in one place: its memory layout, the status record
the host reads after a run, the fault codes and their messages, the scopes,
and the defaults and limits of its options.

Everything that knows the executor reads this module: the compiler
(`passes/executor.py`, `passes/lower_block_on.py`, the verifier), the
runtime's MLIR texts (templates under runtime/ whose `${NAME}` placeholders
`runtime_text` fills from `template_constants()`), and the host on both
targets (`decode_status`).

Imports nothing from MLIR: the GPU host reads it on machines where MLIR is
not installed.

The executor is one block of memory (drawn in docs/executor.md, "Layout"):

    0                      header: i32 fields (Header)
    WARP_RECORDS           MAX_WARPS warp records of WARP_RECORD_BYTES (WarpField)
    HEADER_BYTES           `pool` slot records of SLOT_BYTES (SlotField)
    + pool * SLOT_BYTES    the run queue: queue_entries(pool) i32 slot numbers
    frames_offset(pool)    the frames: pool x stride bytes (x WARP_LANES at block scope)
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Sequence
from importlib import resources

WORD_BYTES = 4
"""Every field of the executor and of the status record is an i32."""
NONE = -1
"""No slot, no waiter, no detail: the value of an i32 field that names nothing."""
WARP_LANES = 32
LANE_BITS = 5
"""log2(WARP_LANES): a linear thread id shifted right by it is the warp."""
LAST_LANE = WARP_LANES - 1


class Header(enum.IntEnum):
    """The executor's header: i32 fields at these byte offsets."""

    STATUS = 0
    """0 while running; else the Fault that stopped it."""
    PACKED = 4
    """1: a register executor (thread or warp scope, at most PACKED_SLOTS
    slots): the slot table and the run queue are the packed words below, the
    frames follow warp 0's record (`frames_offset`), and every access to the
    block has a constant offset (passes/static_slots.py), so that LLVM
    promotes it to registers; 0: the byte block drawn above."""
    HEAD = 12
    """Run-queue counter: the next entry to dequeue (counters count up; an
    entry is at counter & MASK)."""
    TAIL = 16
    """Run-queue counter: the next entry to fill."""
    POOL = 20
    """Task slots, the root's (slot 0, the block_on's future) included."""
    STRIDE = 24
    """Bytes per frame slot (the largest task frame, FRAME_ALIGN-aligned)."""
    POLLS = 28
    """Polls made so far."""
    BUDGET = 32
    """The watchdog's poll budget (0: none)."""
    DETAIL = 36
    """The fault's detail (FAULTS says what it is for each fault), copied to
    the status record's DETAIL word."""
    FRAMES = 40
    """Byte offset of slot 0's frame."""
    SCOPE = 44
    """The Scope."""
    WARPS = 48
    """Warps taking tasks (block scope; 1 otherwise)."""
    MASK = 52
    """Run-queue entries - 1 (a power of two, at least pool)."""
    QUEUE = 56
    """Register executor, i64: the run queue, PACKED_BITS per entry, the
    newest in the low bits (FIFO: enqueue shifts left by one entry and ors
    the slot in, dequeue reads entry LENGTH - 1; the bits above the LENGTH
    entries are stale and never read)."""
    STATES = 64
    """Register executor, i64: each slot's SlotState, PACKED_BITS per slot."""
    WAITERS = 72
    """Register executor, i64: each slot's waiter, PACKED_BITS per slot; a
    slot that names itself has none (a task never waits for itself)."""
    KINDS = 80
    """Register executor, two i64 (KINDS, KINDS + 8): each slot's task kind,
    KIND_BITS per slot, slots 0-7 in the first word."""
    LENGTH = 96
    """Register executor: the run queue's entries."""


PARAMS = (Header.POOL, Header.STRIDE, Header.FRAMES, Header.BUDGET, Header.SCOPE, Header.MASK,
          Header.PACKED)
"""The fields set once by `gasync_rt_exec_init` (its arguments, in this
order) and read through `gasync_rt_param`, which gasync-lower-block-on
replaces with constants when every executor of a symbol table has the same
ones."""

WARP_RECORDS = 128
"""Byte offset of warp 0's record."""
WARP_RECORD_BYTES = 16
MAX_WARPS = 32
"""A block of 1024 threads."""


class WarpField(enum.IntEnum):
    """A warp's record (one per warp taking tasks): i32 fields at these offsets."""

    CURRENT = 0
    """The slot the warp polls."""
    PARK = 4
    """What its task asks for when its poll returns false (Park)."""
    ASSIGNED = 8
    """Block scope: this round's slot, or NONE."""
    DONE = 12
    """Block scope: this round's poll finished the task."""


class Park(enum.IntEnum):
    REQUEUE = 1
    """The task yielded: back of the run queue."""
    JOIN = 2
    """The task waits for a task to finish (which wakes it)."""


HEADER_BYTES = WARP_RECORDS + MAX_WARPS * WARP_RECORD_BYTES
"""The header and every warp record: the slot records start here."""
ONE_WARP_HEADER_BYTES = WARP_RECORDS + WARP_RECORD_BYTES
"""The header and warp 0's record: what a thread- or warp-scope executor uses."""
SLOT_BYTES = 16


class SlotField(enum.IntEnum):
    """A task slot's record, at HEADER_BYTES + slot * SLOT_BYTES: i32 fields."""

    STATE = 0
    """The SlotState."""
    KIND = 4
    """The task kind (the dispatch switch's case)."""
    WAITER = 8
    """The slot to wake when this one is done, or NONE."""


class SlotState(enum.IntEnum):
    FREE = 0
    """0: a register executor's zeroed states word is all FREE (its init is a
    memset; a spawn looks for a zero field, reading its two low bits only:
    FREE to DONE, all a register executor uses, are below 4)."""
    READY = 1
    WAITING = 2
    DONE = 3
    POLLED = 4
    """Block scope: handed to a warp this round."""


QUEUE_ENTRY_BYTES = 4
FRAME_ALIGN = 16
PACKED_BITS = 4
"""Bits of a slot number (or a slot state) in a register executor's packed words."""
PACKED_SLOTS = 1 << PACKED_BITS
"""The most slots (the root's included) of a register executor: its run
queue holds every slot once in one i64."""
KIND_BITS = 8
"""Bits of a task kind in a register executor's KINDS words."""
PACKED_KINDS = 1 << KIND_BITS


class Scope(enum.IntEnum):
    """Who shares one executor (docs/executor.md, "Scopes")."""

    THREAD = 0
    WARP = 1
    BLOCK = 2


SCOPES = {s.name.lower(): s for s in Scope}
"""Scope names as block_on's `scope` attribute spells them."""


class MemoryScope(enum.IntEnum):
    """Who a flag's acquire load or release store synchronises with
    (docs/hardware-futures.md): the threads of the block, of the GPU, or the
    whole system (other GPUs, the host). The CPU treats every scope as system."""

    BLOCK = 0
    GPU = 1
    SYSTEM = 2


MEMORY_SCOPES = {s.name.lower(): s for s in MemoryScope}
"""Memory scope names as the flag ops' `scope` attribute spells them."""
DEFAULT_MEMORY_SCOPE = "gpu"

DEFAULT_IDLE_WAIT_MS = 2000
"""How long a hardware future may find its event pending before it stops the
run with a HARDWARE_WAIT fault (the passes' `idle-wait-ms`; 0: no limit)."""
MAX_IDLE_WAIT_MS = (1 << 31) - 1
IDLE_CHECK_POLLS = 1024
"""A pending hardware future reads the clock on its this-many-th pending
poll (the idle-wait limit starts there) and every this many after (a power
of two): the limit costs a pending poll an add and a test, and the first
pending polls, those of a handoff about to complete, nothing more."""

BULK_ALIGN = 16
"""Bulk copies (cp.async.bulk): both addresses and the size are multiples of this."""


class Fault(enum.IntEnum):
    """Why an executor stopped: the status record's code (0: it did not)."""

    DEADLOCK = 1
    POOL_OVERFLOW = 2
    INVARIANT = 3
    WATCHDOG = 4
    DIVERGED = 5
    DIVISION_BY_ZERO = 6
    OUT_OF_BOUNDS = 7
    MISALIGNED_COPY = 8
    HARDWARE_WAIT = 9
    NEGATIVE_SHIFT = 10
    CHANNEL_SENDERS = 11


class Detail(enum.Enum):
    """What a fault's detail word holds."""

    SITE = "site"
    """A fault site: an index into the program's site table (`Site`), which
    the compiler keeps (passes/site_table.py) and the host reads the fault
    with; NONE when the runtime cannot tell."""
    KIND = "kind"
    """A task kind (the dispatch switch's case)."""


@dataclasses.dataclass(frozen=True)
class FaultText:
    message: str
    detail: str
    """How the detail reads, `{}` standing for it (a site rendered by
    `Site.__str__`, or the number); a detail of NONE is left out."""
    holds: Detail = Detail.SITE


FAULTS = {
    Fault.DEADLOCK: FaultText(
        "deadlock: no task can make progress and the root is not done", "in {}"),
    Fault.POOL_OVERFLOW: FaultText(
        "task pool overflow: a spawn found every slot of the executor's pool taken", "at {}"),
    Fault.INVARIANT: FaultText("executor invariant broken", "dispatching an unknown task kind {}",
                               Detail.KIND),
    Fault.WATCHDOG: FaultText(
        "watchdog: the poll budget ran out (a task that never finishes?)", "polling {}"),
    Fault.DIVERGED: FaultText(
        "divergent lanes: the lanes of a warp- or block-scope executor reached an await or a "
        "spawn apart (the whole warp must reach them)", "at {}"),
    Fault.DIVISION_BY_ZERO: FaultText("integer division by zero", "at {}"),
    Fault.OUT_OF_BOUNDS: FaultText("array subscript out of bounds", "at {}"),
    Fault.MISALIGNED_COPY: FaultText(
        "misaligned bulk copy: its addresses must be 16-byte aligned and its size a multiple "
        "of 16 bytes", "at {}"),
    Fault.HARDWARE_WAIT: FaultText(
        "hardware wait timed out: what a future waits on (a flag, an mbarrier phase, a channel "
        "message) did not happen within the idle-wait limit (a deadlock?)", "waiting in {}"),
    Fault.NEGATIVE_SHIFT: FaultText("negative shift count", "at {}"),
    Fault.CHANNEL_SENDERS: FaultText(
        "two senders on one channel: a message number was sent twice (a channel takes one "
        "sending task)", "in {}"),
}


@dataclasses.dataclass(frozen=True)
class Site:
    """One entry of a program's site table: where in the source a fault can
    arise. The compiler writes the table (passes/site_table.py) into the
    compiled module; the driver carries it to the host (the CPU run, the
    bundle manifest, gasync.compile's CompiledModule)."""

    what: str
    """What is there, e.g. "the spawn of '@leaf'", "the await"."""
    function: str
    """The function it is in (an async function by its source name)."""
    location: str
    """`file:line:col`."""

    def __str__(self) -> str:
        return f"{self.what} in '@{self.function}' at {self.location}"

    def to_json(self) -> list[str]:
        return [self.what, self.function, self.location]

    @staticmethod
    def from_json(entry) -> "Site":
        what, function, location = entry
        return Site(str(what), str(function), str(location))


class Status(enum.IntEnum):
    """The status record the host reads after a run: i32 words at these
    indices, one shape on every target. The first fault of a run wins. The
    CPU leaves block and thread 0 (a CPU run is one thread)."""

    CODE = 0
    """0: no fault; else the Fault."""
    DETAIL = 1
    """The fault's detail (FAULTS[code].holds says what: mostly a site)."""
    BLOCK_X = 2
    BLOCK_Y = 3
    BLOCK_Z = 4
    THREAD_X = 5
    THREAD_Y = 6
    THREAD_Z = 7
    WAIT = 8
    """A HARDWARE_WAIT fault's wait, or the wait a DEADLOCK among hardware
    waits stalled in (else 0): its WaitKind, and for a flag
    the index of its predicate in FLAG_PREDICATES shifted left by
    WAIT_PREDICATE_SHIFT."""
    WAIT_ADDRESS_LO = 9
    """The generic address of the flag or mbarrier waited on (two words)."""
    WAIT_ADDRESS_HI = 10
    WAIT_EXPECTED_LO = 11
    """A flag's expected value, or the parity of the mbarrier phase waited
    for (two words: an i64, an i32 zero-extended)."""
    WAIT_EXPECTED_HI = 12
    WAIT_SEEN_LO = 13
    """A flag's value at the last poll (two words, as WAIT_EXPECTED)."""
    WAIT_SEEN_HI = 14


class WaitKind(enum.IntEnum):
    """What a HARDWARE_WAIT fault waited on (the low byte of Status.WAIT)."""

    NONE = 0
    MBARRIER = 1
    """An mbarrier phase (mbarrier_wait, or a channel's full or empty barrier)."""
    FLAG_I32 = 2
    FLAG_I64 = 3


FLAG_PREDICATES = ("eq", "ne", "slt", "sle", "sgt", "sge", "ult", "ule", "ugt", "uge")
"""A flag_wait's predicates, in the order Status.WAIT numbers them."""
WAIT_KIND_MASK = 0x7F
"""Status.WAIT & this: the WaitKind."""
WAIT_SHARED = 0x80
"""Set in Status.WAIT when the address is a shared-memory offset (the GPU
records an mbarrier so), not a generic address."""
WAIT_PREDICATE_SHIFT = 8


STATUS_WORDS = len(Status)
STATUS_SYMBOL = "gasync_rt_status"
"""The global that holds the status record, on every target."""

DEFAULT_POOL = 16
"""Task slots of an executor when block_on has no `pool` attribute (the root
task not counted)."""
MAX_POOL = 1 << 16
DEFAULT_WATCHDOG = 100_000_000
"""Polls an executor (or a block_on's poll loop) may make before it stops
with a watchdog fault."""
MAX_WATCHDOG = (1 << 31) - 1
"""The poll budget is an i32 (the header's BUDGET field)."""
JIT_OPTIMISE_LIMIT = 10_000
"""The most LLVM-dialect ops a module may have for the JIT to optimise it at
the requested level; a larger one is compiled at -O0. LLVM's optimiser takes
seconds on such modules, most on huge functions (measured on this
project's 2-core machine: one poll function of 11,000 ops, 1,000 awaits,
10 s at -O2, 1.5 s at -O1, 0.15 s at -O0; 50,000 ops in 1,000 small
functions, 14 s at -O2, 11 s at -O1, 0.7 s at -O0), while the code it runs
is the same program, only slower. 0: no limit."""
MAX_SHARED_BYTES = 48 * 1024
"""Static shared memory a block-scope executor may take on the GPU."""
MAX_STACK_BYTES = {"cpu": 4 << 20, "gpu": 512 << 10}
"""Executor bytes one function may keep on its stack, per target. The CPU
runs the program on the calling thread, whose stack is commonly 8 MiB
(`ulimit -s`; Python's threads get the same): half of it is left for the
program and the host. On the GPU the stack is local memory, at most 512 KiB
per thread (every compute capability since 2.0)."""


def queue_entries(pool: int) -> int:
    """The run queue's ring: a power of two (indices are masks), at least pool."""
    return 1 << (pool - 1).bit_length()


def _align_up(n: int, align: int) -> int:
    return (n + align - 1) // align * align


def frames_offset(pool: int, packed_executor: bool = False) -> int:
    if packed_executor:
        return _align_up(ONE_WARP_HEADER_BYTES, FRAME_ALIGN)
    return _align_up(HEADER_BYTES + pool * SLOT_BYTES + queue_entries(pool) * QUEUE_ENTRY_BYTES,
                     FRAME_ALIGN)


def packed(pool: int, scope: str, kinds: int) -> bool:
    """Whether the executor of `pool` slots at `scope`, in a symbol table of
    `kinds` task kinds, is a register executor (Header.PACKED); else it is
    the byte block, the fallback for block scope and bigger pools."""
    return scope != "block" and pool <= PACKED_SLOTS and kinds <= PACKED_KINDS


def executor_bytes(pool: int, stride: int, scope: str = "thread", kinds: int = 0) -> int:
    """The executor of `pool` slots (the root's included) of `stride` bytes,
    in a symbol table of `kinds` task kinds (a register executor: its header,
    warp 0's record, its frames)."""
    if packed(pool, scope, kinds):
        return frames_offset(pool, True) + pool * stride
    lanes = WARP_LANES if scope == "block" else 1  # a frame per lane at block scope
    return frames_offset(pool) + pool * lanes * stride


# --- the host's decoding of a status record ---------------------------------

def fault_message(code: int, detail: int, sites: Sequence[Site] = ()) -> str:
    """The fault's message; a site detail is rendered from `sites` (the
    program's site table) when it names one, else as `site N`."""
    text = FAULTS.get(code)
    if text is None:
        return f"unknown fault {code}"
    if detail == NONE:
        return text.message
    if text.holds is Detail.SITE:
        shown = str(sites[detail]) if 0 <= detail < len(sites) else f"site {detail}"
    else:
        shown = str(detail)
    return f"{text.message} ({text.detail.format(shown)})"


@dataclasses.dataclass(frozen=True)
class WaitRecord:
    """What a HARDWARE_WAIT fault's wait was waiting for (Status.WAIT*)."""

    kind: WaitKind
    predicate: str
    """A flag's predicate (FLAG_PREDICATES); "" for an mbarrier."""
    shared: bool
    """`address` is an offset in the block's shared memory."""
    address: int
    expected: int
    seen: int

    def __str__(self) -> str:
        at = f"shared-memory offset {self.address:#x}" if self.shared else f"{self.address:#x}"
        if self.kind is WaitKind.MBARRIER:
            return (f"the mbarrier at {at}, waiting for its phase of parity "
                    f"{self.expected} to complete")
        bits = 32 if self.kind is WaitKind.FLAG_I32 else 64
        return (f"the i{bits} flag at {at}, waiting for a value {self.predicate} "
                f"{self.value(self.expected, bits)}, last seen {self.value(self.seen, bits)}")

    def value(self, v: int, bits: int) -> int:
        """`v` as the flag's predicate compares it: signed unless unsigned."""
        v &= (1 << bits) - 1
        if not self.predicate.startswith("u") and v >> (bits - 1):
            v -= 1 << bits
        return v

    @staticmethod
    def decode(w: Sequence[int]) -> "WaitRecord | None":
        word = w[Status.WAIT]
        try:
            kind = WaitKind(word & WAIT_KIND_MASK)
        except ValueError:
            return None
        predicate_index = word >> WAIT_PREDICATE_SHIFT
        if kind is WaitKind.NONE or not 0 <= predicate_index < len(FLAG_PREDICATES):
            return None

        def wide(lo: Status) -> int:
            return (w[lo] & 0xFFFFFFFF) | (w[lo + 1] & 0xFFFFFFFF) << 32
        return WaitRecord(kind, "" if kind is WaitKind.MBARRIER else FLAG_PREDICATES[predicate_index],
                          bool(word & WAIT_SHARED), wide(Status.WAIT_ADDRESS_LO), wide(Status.WAIT_EXPECTED_LO),
                          wide(Status.WAIT_SEEN_LO))


@dataclasses.dataclass(frozen=True)
class StatusRecord:
    code: int
    detail: int
    block: tuple[int, int, int]
    thread: tuple[int, int, int]
    sites: tuple[Site, ...] = ()
    """The program's site table, when the host has it."""
    wait: WaitRecord | None = None
    """A HARDWARE_WAIT or DEADLOCK fault's flag or mbarrier, when the runtime
    recorded it."""

    @property
    def message(self) -> str:
        message = fault_message(self.code, self.detail, self.sites)
        return message if self.wait is None else f"{message}: {self.wait}"

    @property
    def where(self) -> str:
        return (f"block ({','.join(map(str, self.block))}), "
                f"thread ({','.join(map(str, self.thread))})")


def decode_status(words, sites: Sequence[Site] = ()) -> StatusRecord | None:
    """The fault a status record (STATUS_WORDS integers, as read from either
    target) reports, or None when the run did not fault; `sites` (the
    program's site table) names the source of a site detail."""
    if len(words) != STATUS_WORDS:
        raise ValueError(f"a status record has {STATUS_WORDS} words, not {len(words)}")
    w = [int(v) for v in words]
    if w[Status.CODE] == 0:
        return None
    wait = (WaitRecord.decode(w) if w[Status.CODE] in (Fault.HARDWARE_WAIT, Fault.DEADLOCK)
            else None)
    return StatusRecord(w[Status.CODE], w[Status.DETAIL],
                        (w[Status.BLOCK_X], w[Status.BLOCK_Y], w[Status.BLOCK_Z]),
                        (w[Status.THREAD_X], w[Status.THREAD_Y], w[Status.THREAD_Z]),
                        tuple(sites), wait)


# --- the runtime's MLIR texts --------------------------------------------------

class RuntimeTemplateError(ValueError):
    """A runtime text with a placeholder this module does not define, or a
    stray `$`: a bug in the runtime's sources, never in a user's program."""


def template_constants() -> dict[str, int | str]:
    """What a runtime text's `${NAME}` placeholders stand for: each enum's
    members as PREFIX_MEMBER, and the layout's sizes by their names here."""
    constants: dict[str, int | str] = {}
    groups = ((Header, "HEADER"), (WarpField, "WARP"), (Park, "PARK"), (SlotField, "SLOT"),
              (SlotState, "STATE"), (Scope, "SCOPE"), (Fault, "FAULT"), (Status, "STATUS"),
              (MemoryScope, "MEMSCOPE"), (WaitKind, "WAITKIND"))
    plain = dict(NONE=NONE, WARP_LANES=WARP_LANES, LANE_BITS=LANE_BITS, LAST_LANE=LAST_LANE,
                 WARP_RECORDS=WARP_RECORDS, WARP_RECORD_BYTES=WARP_RECORD_BYTES,
                 HEADER_BYTES=HEADER_BYTES, ONE_WARP_HEADER_BYTES=ONE_WARP_HEADER_BYTES,
                 SLOT_BYTES=SLOT_BYTES, QUEUE_ENTRY_BYTES=QUEUE_ENTRY_BYTES,
                 WORD_BYTES=WORD_BYTES, PACKED_BITS=PACKED_BITS, KIND_BITS=KIND_BITS,
                 STATUS_WORDS=STATUS_WORDS, STATUS_SYMBOL=STATUS_SYMBOL,
                 WAIT_KIND_MASK=WAIT_KIND_MASK, WAIT_SHARED=WAIT_SHARED)
    items = [(f"{prefix}_{m.name}", int(m)) for group, prefix in groups for m in group]
    for name, value in items + list(plain.items()):
        if name in constants:
            raise RuntimeTemplateError(f"two runtime constants are named {name}")
        constants[name] = value
    return constants


_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def render(text: str, source: str) -> str:
    """`text` with every `${NAME}` replaced by its constant; raises
    RuntimeTemplateError naming `source` and the line on an unknown name or
    a `$` left over."""
    constants = template_constants()
    lines = []
    for number, line in enumerate(text.splitlines(keepends=True), 1):
        def fill(m: re.Match) -> str:
            if m.group(1) not in constants:
                raise RuntimeTemplateError(f"{source}:{number}: unknown runtime constant "
                                           f"'${{{m.group(1)}}}'")
            return str(constants[m.group(1)])

        rendered = _PLACEHOLDER.sub(fill, line)
        if "$" in rendered:
            raise RuntimeTemplateError(f"{source}:{number}: '$' left over after rendering: "
                                       f"{line.strip()}")
        lines.append(rendered)
    return "".join(lines)


def runtime_text(*path: str) -> str:
    """The runtime MLIR text at runtime/`path`, rendered."""
    return render(resources.files("gasync.runtime").joinpath(*path).read_text(),
                  "runtime/" + "/".join(path))
