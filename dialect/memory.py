"""What the hardware futures need to know about a memref operand: its address
space, its element size, and the byte offset and size of what it covers, when
they are static (docs/hardware-futures.md)."""

from __future__ import annotations

from mlir import ir

GENERIC, GLOBAL, SHARED, LOCAL = 0, 1, 3, 5
"""NVPTX address spaces (generic is the only one on the CPU)."""

GPU_ADDRESS_SPACES = {"global": GLOBAL, "workgroup": SHARED, "private": LOCAL}
"""`#gpu.address_space<...>` names -> NVPTX address spaces."""


def address_space(t: ir.MemRefType) -> int | None:
    """The address space a memref's memory lives in, or None for a memory
    space gasync does not know."""
    space = t.memory_space
    if space is None:
        return GENERIC
    if isinstance(space, ir.IntegerAttr):
        return space.value
    text = str(space)
    for name, number in GPU_ADDRESS_SPACES.items():
        if text == f"#gpu.address_space<{name}>":
            return number
    return None


def element_bytes(t: ir.MemRefType) -> int | None:
    """Bytes of one element, for integer, float and index elements (None otherwise)."""
    e = t.element_type
    if isinstance(e, ir.IndexType):
        return 8
    width = getattr(e, "width", None)
    if width is None or width % 8:
        return None
    return width // 8


def static_offset(t: ir.MemRefType) -> int | None:
    """The memref's offset in elements when its layout makes it static."""
    try:
        strides, offset = t.get_strides_and_offset()
    except ValueError:
        return None
    return None if t.is_dynamic_stride_or_offset(offset) else offset


def is_contiguous(t: ir.MemRefType) -> bool:
    """Whether a statically shaped memref covers one contiguous run of memory."""
    try:
        strides, _ = t.get_strides_and_offset()
    except ValueError:
        return False
    expected = 1
    for size, stride in zip(reversed(t.shape), reversed(strides)):
        if size != 1 and stride != expected:
            return False
        expected *= size
    return True


def num_elements(t: ir.MemRefType) -> int | None:
    if not t.has_static_shape:
        return None
    n = 1
    for size in t.shape:
        n *= size
    return n
