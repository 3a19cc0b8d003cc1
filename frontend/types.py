"""The frontend's types: fixed-width scalars and arrays. MLIR-free.

`gasync.i32` and friends are both annotations and conversions: in compiled
code `gasync.i32(x)` is a conversion op; called from plain Python (the
asyncio reference run of the same source) it applies the same wrapping, so
one source means one thing in both.
"""

from __future__ import annotations

import dataclasses
import math


@dataclasses.dataclass(frozen=True)
class ScalarType:
    name: str
    bits: int
    is_float: bool

    @property
    def is_int(self) -> bool:
        return not self.is_float

    @property
    def is_bool(self) -> bool:
        return self.name == "i1"

    @property
    def min(self) -> int:
        return -(1 << (self.bits - 1)) if self.bits > 1 else 0

    @property
    def max(self) -> int:
        return (1 << (self.bits - 1)) - 1 if self.bits > 1 else 1

    def fits(self, value: int) -> bool:
        return self.min <= value <= self.max

    def wrap(self, value):
        """Python's value of this type: integers wrap (two's complement), bools
        test != 0, floats round to the width (f64: unchanged)."""
        if self.is_bool:
            return bool(value)
        if self.is_int:
            if isinstance(value, float):
                value = math.trunc(value)
            value = int(value) & ((1 << self.bits) - 1)
            return value - (1 << self.bits) if value > self.max else value
        import numpy as np  # only for the rounding of f16/f32
        return float({16: np.float16, 32: np.float32, 64: np.float64}[self.bits](value))

    def __call__(self, value):
        return self.wrap(value)

    def __repr__(self) -> str:
        return f"gasync.{self.name}"

    def __str__(self) -> str:
        return self.name


i1 = ScalarType("i1", 1, False)
i8 = ScalarType("i8", 8, False)
i16 = ScalarType("i16", 16, False)
i32 = ScalarType("i32", 32, False)
i64 = ScalarType("i64", 64, False)
f16 = ScalarType("f16", 16, True)
f32 = ScalarType("f32", 32, True)
f64 = ScalarType("f64", 64, True)
SCALARS = {t.name: t for t in (i1, i8, i16, i32, i64, f16, f32, f64)}
PYTHON_SCALARS = {bool: i1, int: i64, float: f64}

NUMPY_DTYPES = {"i1": "bool", "i8": "int8", "i16": "int16", "i32": "int32", "i64": "int64",
                "f16": "float16", "f32": "float32", "f64": "float64"}


@dataclasses.dataclass(frozen=True)
class ArrayType:
    """`gasync.Array[T]` (rank 1) or `gasync.Array[T, 2]`: a memref of any size."""

    element: ScalarType
    rank: int = 1

    def __str__(self) -> str:
        return f"Array[{self.element}]" if self.rank == 1 else f"Array[{self.element}, {self.rank}]"

    @property
    def mlir(self) -> str:
        return "memref<" + "?x" * self.rank + self.element.name + ">"


class _ArrayFactory:
    """`gasync.Array[T]`, `gasync.Array[T, 2]`."""

    def __getitem__(self, key) -> ArrayType:
        element, rank = (key if isinstance(key, tuple) else (key, 1))
        element = PYTHON_SCALARS.get(element, element)
        if not isinstance(element, ScalarType) or rank not in (1, 2):
            raise TypeError("gasync.Array[T] or gasync.Array[T, 2], T a gasync scalar type")
        return ArrayType(element, rank)

    def __repr__(self) -> str:
        return "gasync.Array"


Array = _ArrayFactory()


@dataclasses.dataclass(frozen=True)
class SharedArrayType(ArrayType):
    """A static buffer in shared memory (`gasync.Shared`): its shape is known
    at compile time; it lives in shared memory on the GPU (one per block) and
    in a buffer of the process on the CPU. Not an Array: it is never passed
    as an argument, it is named where it is declared."""

    shape: tuple[int, ...] = ()

    def __str__(self) -> str:
        return f"Shared[{self.element}, {self.shape}]"


@dataclasses.dataclass(frozen=True)
class HandleType:
    """A future (`task=False`) or a task handle; `value` None for no value."""

    value: ScalarType | None
    task: bool = False
    slot: bool = False
    """A tile channel's recv: the IR's value is an index (a slot), read as i64."""

    def __str__(self) -> str:
        return f"{'task' if self.task else 'future'}[{self.value or 'None'}]"


def common_type(a: ScalarType, b: ScalarType) -> ScalarType:
    """The type two typed operands meet at (docs/design.md's typing rules):
    a float wins over an integer, the wider float or integer wins, and a
    bool meets anything as 0 or 1 (two bools meet at int)."""
    if a.is_float or b.is_float:
        if a.is_float and b.is_float:
            return a if a.bits >= b.bits else b
        return a if a.is_float else b
    if a.is_bool and b.is_bool:
        return i64
    if a.is_bool:
        return b
    if b.is_bool:
        return a
    return a if a.bits >= b.bits else b
