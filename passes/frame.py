"""Coroutine frames: slot layout and the loads and stores that reach them.

A frame is raw bytes behind an `!llvm.ptr`; each slot is a byte offset.
Values are kept in the frame in an LLVM-compatible form: integers, floats,
vectors and pointers as they are, `index` as i64, a memref as its LLVM
descriptor struct (the casts cancel out in reconcile-unrealized-casts once
the memref is lowered to the same struct).
"""

from __future__ import annotations

import dataclasses
import re

from mlir import ir
from mlir.dialects import arith, llvm

FRAME_ATTR = "gasync.frame"
STATE_OFFSET = 0
STATE_START = 0
"""The state `init` sets: the next poll runs the function from its entry."""
STATE_DONE = -1
"""The state `poll` sets when it returns ready; polling again runs nothing."""
PLACEMENT_ALIGN = 16
"""The alignment every placer of a frame guarantees today, whatever the frame's
own `align`: the executor's task slots are 16-byte aligned (a block_on's stack
frame and a parent's child-frame region honour `align` in full). Frame loads and
stores claim min(slot alignment, this), so they are correct in every placement;
slots are still laid out at their full ABI alignment."""


class UnsupportedType(ValueError):
    pass


def i1() -> ir.Type:
    return ir.IntegerType.get_signless(1)


def i8() -> ir.Type:
    return ir.IntegerType.get_signless(8)


def i32() -> ir.Type:
    return ir.IntegerType.get_signless(32)


def i64() -> ir.Type:
    return ir.IntegerType.get_signless(64)


def ptr() -> ir.Type:
    return llvm.PointerType.get()


def _memref_address_space(t: ir.MemRefType) -> int:
    space = t.memory_space
    if space is None:
        return 0
    if isinstance(space, ir.IntegerAttr):
        return space.value
    text = str(space)
    spaces = {"#gpu.address_space<global>": 1, "#gpu.address_space<workgroup>": 3,
              "#gpu.address_space<private>": 5}
    if text in spaces:
        return spaces[text]
    raise UnsupportedType(f"memref memory space {text}")


def storage_type(t: ir.Type) -> ir.Type:
    """The LLVM-compatible type a value of type `t` is kept as in a frame."""
    if isinstance(t, (ir.IntegerType, ir.F16Type, ir.BF16Type, ir.F32Type, ir.F64Type)):
        return t
    if isinstance(t, ir.IndexType):
        return i64()
    if isinstance(t, ir.VectorType) and t.rank == 1:
        return t
    if isinstance(t, ir.MemRefType):
        layout = t.layout
        if isinstance(layout, ir.AffineMapAttr) and \
                layout.value != ir.AffineMap.get_identity(t.rank):
            raise UnsupportedType(str(t))  # a non-strided layout has no LLVM descriptor
        rank = t.rank
        p = llvm.PointerType.get(_memref_address_space(t))
        fields = f"{p}, {p}, i64" + (f", array<{rank} x i64>, array<{rank} x i64>" if rank else "")
        return ir.Type.parse(f"!llvm.struct<({fields})>")
    if isinstance(t, llvm.PointerType):
        return t
    raise UnsupportedType(str(t))


def slot_layout(t: ir.Type) -> tuple[int, int]:
    """(size, alignment) in bytes of the frame slot for a value of type `t`:
    its storage type's store size rounded up to a power of two, and the ABI
    alignment LLVM gives that type on x86-64 and NVPTX (integers up to 16
    bytes, vectors their whole size: `vector<16xf64>` is 128-byte aligned)."""
    s = storage_type(t)
    if isinstance(t, ir.MemRefType):
        # a memref descriptor: two pointers, the offset, sizes and strides
        return 8 * (3 + 2 * t.rank), 8
    if isinstance(s, ir.VectorType):
        elem_size, _ = slot_layout(s.element_type)
        size = _pow2(elem_size * s.shape[0])
        return size, size
    if isinstance(s, llvm.PointerType):
        return 8, 8
    size = _pow2(_scalar_bytes(s))
    return size, min(size, 16)


def _pow2(n: int) -> int:
    return 1 << (max(1, n) - 1).bit_length()


def _scalar_bytes(t: ir.Type) -> int:
    if isinstance(t, ir.IntegerType):
        return (t.width + 7) // 8
    if isinstance(t, (ir.F16Type, ir.BF16Type)):
        return 2
    if isinstance(t, ir.F32Type):
        return 4
    if isinstance(t, ir.F64Type):
        return 8
    raise UnsupportedType(str(t))


def memory_layout(t: ir.Type) -> tuple[int, int]:
    """(allocation size, ABI alignment) of one element of type `t` in memory,
    as LLVM lays it out: the element of a `memref.alloca` or an `llvm.alloca`."""
    if isinstance(t, ir.IndexType):
        return 8, 8
    if isinstance(t, llvm.StructType):
        offset, align = 0, 1
        for field in t.body:
            size, field_align = memory_layout(field)
            field_align = 1 if t.packed else field_align
            offset = align_up(offset, field_align) + size
            align = max(align, field_align)
        return align_up(offset, align), align
    array = _LLVM_ARRAY.fullmatch(str(t))
    if array:
        size, align = memory_layout(ir.Type.parse(array.group(2)))
        return int(array.group(1)) * size, align
    return slot_layout(t)


_LLVM_ARRAY = re.compile(r"!llvm\.array<(\d+) x (.*)>")


def align_up(offset: int, align: int) -> int:
    return (offset + align - 1) // align * align


@dataclasses.dataclass(frozen=True)
class FrameLayout:
    """What callers of an async function know of its frame: its size and
    alignment (every placer of the frame must honour `align`: a parent's
    child-frame region, a block_on's stack frame, an executor's task slots),
    where the result is, and how many states the poll function has."""

    size: int = 4  # the state index, an i32 at offset 0
    align: int = 4
    result_offset: int = -1
    states: int = 0

    def attribute(self) -> ir.Attribute:
        i64t = i64()
        return ir.DictAttr.get({
            "size": ir.IntegerAttr.get(i64t, self.size),
            "align": ir.IntegerAttr.get(i64t, self.align),
            "result_offset": ir.IntegerAttr.get(i64t, self.result_offset),
            "states": ir.IntegerAttr.get(i64t, self.states),
        })

    @staticmethod
    def from_attribute(attr: ir.Attribute) -> "FrameLayout":
        d = ir.DictAttr(attr)
        return FrameLayout(size=ir.IntegerAttr(d["size"]).value,
                           align=ir.IntegerAttr(d["align"]).value,
                           result_offset=ir.IntegerAttr(d["result_offset"]).value,
                           states=ir.IntegerAttr(d["states"]).value)


def gep(base: ir.Value, offset: int, *, loc, ip) -> ir.Value:
    """`base + offset` bytes."""
    if offset == 0:
        return base
    return ir.Operation.create(
        "llvm.getelementptr", results=[ptr()], operands=[base],
        attributes={"elem_type": ir.TypeAttr.get(i8()),
                    "noWrapFlags": ir.IntegerAttr.get(i32(), 0),
                    "rawConstantIndices": ir.DenseI32ArrayAttr.get([offset])},
        loc=loc, ip=ip).result


def _cast(value: ir.Value, to: ir.Type, *, loc, ip) -> ir.Value:
    return ir.Operation.create("builtin.unrealized_conversion_cast", results=[to],
                               operands=[value], loc=loc, ip=ip).result


def to_storage(value: ir.Value, *, loc, ip) -> ir.Value:
    t = value.type
    s = storage_type(t)
    if s == t:
        return value
    if isinstance(t, ir.IndexType):
        return arith.index_cast(s, value, loc=loc, ip=ip)
    return _cast(value, s, loc=loc, ip=ip)


def from_storage(value: ir.Value, t: ir.Type, *, loc, ip) -> ir.Value:
    if value.type == t:
        return value
    if isinstance(t, ir.IndexType):
        return arith.index_cast(t, value, loc=loc, ip=ip)
    return _cast(value, t, loc=loc, ip=ip)


def access_align(t: ir.Type) -> int:
    """The alignment a frame load or store of a value of type `t` relies on:
    its slot's offset is a multiple of the slot alignment, and the frame is
    placed at least PLACEMENT_ALIGN-aligned (or at its own `align`)."""
    return min(slot_layout(t)[1], PLACEMENT_ALIGN)


def store(value: ir.Value, frame: ir.Value, offset: int, *, loc, ip) -> None:
    stored = to_storage(value, loc=loc, ip=ip)
    address = gep(frame, offset, loc=loc, ip=ip)
    llvm.store(stored, address, alignment=access_align(value.type), loc=loc, ip=ip)


def load(t: ir.Type, frame: ir.Value, offset: int, *, loc, ip) -> ir.Value:
    address = gep(frame, offset, loc=loc, ip=ip)
    loaded = llvm.load(storage_type(t), address, alignment=access_align(t), loc=loc, ip=ip)
    return from_storage(loaded, t, loc=loc, ip=ip)


def store_state(frame: ir.Value, state: int, *, loc, ip) -> None:
    c = arith.constant(i32(), state, loc=loc, ip=ip)
    llvm.store(c, frame, alignment=4, loc=loc, ip=ip)


def load_state(frame: ir.Value, *, loc, ip) -> ir.Value:
    return llvm.load(i32(), frame, alignment=4, loc=loc, ip=ip)


def memref_view(frame: ir.Value, offset: int, t: ir.MemRefType, *, loc, ip) -> ir.Value:
    """A memref of static shape and identity layout over the frame bytes at
    `offset` (the descriptor a `memref.alloca` would have made, over frame
    memory instead of the stack)."""
    descriptor_type = storage_type(t)
    address = gep(frame, offset, loc=loc, ip=ip)
    descriptor = llvm.mlir_poison(descriptor_type, loc=loc, ip=ip)
    descriptor = llvm.insertvalue(descriptor, address, [0], loc=loc, ip=ip)
    descriptor = llvm.insertvalue(descriptor, address, [1], loc=loc, ip=ip)
    fields = [([2], 0)]
    stride = 1
    strides = []
    for size in reversed(t.shape):
        strides.append(stride)
        stride *= size
    for k, (size, step) in enumerate(zip(t.shape, reversed(strides))):
        fields += [([3, k], size), ([4, k], step)]
    for position, value in fields:
        descriptor = llvm.insertvalue(descriptor, arith.constant(i64(), value, loc=loc, ip=ip),
                                      position, loc=loc, ip=ip)
    return from_storage(descriptor, t, loc=loc, ip=ip)


def frame_alloca(layout: FrameLayout, *, loc, ip) -> ir.Value:
    """Stack storage for a frame (for block_on outside async code)."""
    one = arith.constant(i64(), 1, loc=loc, ip=ip)
    storage = ir.Type.parse(f"!llvm.array<{layout.size} x i8>")
    return llvm.alloca(ptr(), one, ir.TypeAttr.get(storage), alignment=max(layout.align, 8),
                       loc=loc, ip=ip)


def init_name(name: str) -> str:
    return f"{name}$init"


def poll_name(name: str) -> str:
    return f"{name}$poll"
