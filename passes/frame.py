"""Coroutine frames: slot layout and the loads and stores that reach them.

A frame is raw bytes behind an `!llvm.ptr`; each slot is a byte offset.
Values are kept in the frame in an LLVM-compatible form: integers, floats,
vectors and pointers as they are, `index` as i64, a memref as its LLVM
descriptor struct (the casts cancel out in reconcile-unrealized-casts once
the memref is lowered to the same struct).
"""

from __future__ import annotations

import dataclasses

from mlir import ir
from mlir.dialects import arith, llvm

FRAME_ATTR = "gasync.frame"
STATE_OFFSET = 0
STATE_DONE = -1


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
    """(size, alignment) in bytes of the frame slot for a value of type `t`."""
    s = storage_type(t)
    if isinstance(s, ir.IntegerType):
        size = max(1, (s.width + 7) // 8)
        size = 1 << (size - 1).bit_length()
        return size, min(size, 8)
    if isinstance(s, (ir.F16Type, ir.BF16Type)):
        return 2, 2
    if isinstance(s, ir.F32Type):
        return 4, 4
    if isinstance(s, ir.F64Type):
        return 8, 8
    if isinstance(s, ir.VectorType):
        elem_size, _ = slot_layout(s.element_type)
        size = elem_size * s.shape[0]
        size = 1 << (size - 1).bit_length()
        return size, min(size, 16)
    if isinstance(s, llvm.PointerType):
        return 8, 8
    # a memref descriptor: two pointers, the offset, sizes and strides
    rank = t.rank
    return 8 * (3 + 2 * rank), 8


def align_up(offset: int, align: int) -> int:
    return (offset + align - 1) // align * align


@dataclasses.dataclass
class FrameLayout:
    """Where things live in one async function's frame."""

    size: int = 4  # the state index, an i32 at offset 0
    align: int = 4
    result_offset: int = -1
    states: int = 0

    def allocate(self, size: int, align: int) -> int:
        offset = align_up(self.size, align)
        self.size = offset + size
        self.align = max(self.align, align)
        return offset

    def finish(self) -> None:
        self.size = align_up(self.size, self.align)

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


def store(value: ir.Value, frame: ir.Value, offset: int, *, loc, ip) -> None:
    stored = to_storage(value, loc=loc, ip=ip)
    address = gep(frame, offset, loc=loc, ip=ip)
    llvm.store(stored, address, loc=loc, ip=ip)


def load(t: ir.Type, frame: ir.Value, offset: int, *, loc, ip) -> ir.Value:
    address = gep(frame, offset, loc=loc, ip=ip)
    loaded = llvm.load(storage_type(t), address, loc=loc, ip=ip)
    return from_storage(loaded, t, loc=loc, ip=ip)


def store_state(frame: ir.Value, state: int, *, loc, ip) -> None:
    c = arith.constant(i32(), state, loc=loc, ip=ip)
    llvm.store(c, frame, loc=loc, ip=ip)


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
