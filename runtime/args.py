"""Argument types, argument values and printed outputs on the host side, for
every target (the CPU run, the GPU launcher, bundles). Imports only numpy:
it runs where MLIR is not installed.

Types are MLIR type strings: integer (`i1`, `i8`, ..., `i64`), `index`,
float (`f16`, `f32`, `f64`) and memrefs of them with the identity layout
(`memref<2x3xi32>`, `memref<?x6xi32>`, optionally in a memory space).

On the command line a scalar argument is a literal (`21`, `1.5`); a memref
argument is `TYPE`, `TYPE=FILL` or `TYPE=[v, ...]` (nested lists for rank >
1), zero-filled by default; the spec must name the type when the memref has
dynamic dimensions. Every value must fit its type exactly: integers in
range, floats finite in the element type unless spelled `inf` or `nan`, list
nesting and lengths equal to the shape. A memref built from a spec is at
most MAX_ARG_BYTES (256 MiB). Every error is an ArgError naming the argument
(0-based, in `--arg` order).

After a run, each result prints as `result N: VALUE` and each memref argument
as `arg N: [v, v, ...]`: i1 as 0 or 1, integers and index in decimal, floats
in C's `%e` form. The command line summarises memrefs of more than
SUMMARY_THRESHOLD elements the way numpy does (the first and last
SUMMARY_EDGE items of each dimension around `...`).
"""

from __future__ import annotations

import ctypes
import dataclasses
import math
import re
from typing import Sequence

import numpy as np

from .errors import UsageError

ELEMENTS: dict[str, tuple[np.dtype, type]] = {
    # element: (numpy dtype, ctypes type of a kernel parameter of that type)
    "i1": (np.dtype(np.bool_), ctypes.c_uint8),
    "i8": (np.dtype(np.int8), ctypes.c_int8),
    "i16": (np.dtype(np.int16), ctypes.c_int16),
    "i32": (np.dtype(np.int32), ctypes.c_int32),
    "i64": (np.dtype(np.int64), ctypes.c_int64),
    "index": (np.dtype(np.int64), ctypes.c_int64),
    "f16": (np.dtype(np.float16), ctypes.c_uint16),
    "f32": (np.dtype(np.float32), ctypes.c_float),
    "f64": (np.dtype(np.float64), ctypes.c_double),
}
FLOATS = ("f16", "f32", "f64")
MAX_ARG_BYTES = 1 << 28
"""The largest memref argument built from a spec: a bigger one is refused, not allocated."""
SUMMARY_THRESHOLD = 1000
"""Memrefs of more elements than this print summarised on the command line."""
SUMMARY_EDGE = 3
"""Items kept at each end of every dimension of a summarised memref."""


class ArgError(UsageError):
    """An argument (type, value or spec) that does not fit the entry's signature."""


class ArgTypeError(ArgError, TypeError):
    """An argument of the wrong kind (an array for a scalar...) or dtype."""


class ArgOverflowError(ArgError, OverflowError):
    """A scalar out of its parameter type's range."""


@dataclasses.dataclass(frozen=True)
class ArgType:
    """A scalar type, or a memref of a scalar type with static (int) or dynamic (None) dims."""

    element: str
    shape: tuple[int | None, ...] | None = None  # None: a scalar
    text: str = dataclasses.field(default="", compare=False)
    """The type as MLIR spelled it (`str()` gives the canonical spelling)."""

    @property
    def is_memref(self) -> bool:
        return self.shape is not None

    @property
    def is_static(self) -> bool:
        return self.shape is None or all(d is not None for d in self.shape)

    @property
    def dtype(self) -> np.dtype:
        return ELEMENTS[self.element][0]

    @property
    def num_params(self) -> int:
        """Kernel parameters (convert-gpu-to-nvvm): a memref is its descriptor,
        allocated and aligned pointers, offset, sizes, strides."""
        return 1 if self.shape is None else 3 + 2 * len(self.shape)

    def describe(self) -> dict:
        return {"type": str(self), "element": self.element,
                "shape": None if self.shape is None else list(self.shape),
                "params": self.num_params}

    def __str__(self) -> str:
        if self.shape is None:
            return self.element
        return f"memref<{''.join(f'{shape_text((d,))}x' for d in self.shape)}{self.element}>"


_MEMREF = re.compile(r"^memref<((?:(?:\d+|\?)x)*)([a-z0-9]+)(,\s*(.*))?>$")
_MEMSPACE = re.compile(r"^(\d+|#gpu\.address_space<global>)$")


def parse_type(text: str) -> ArgType:
    """The ArgType of an MLIR type string; ArgError when the host cannot pass it."""
    t = text.strip()
    if t in ELEMENTS:
        return ArgType(t, None, t)
    m = _MEMREF.match(t)
    if m and m.group(2) in ELEMENTS:
        extra = m.group(4)
        if extra is not None and not _MEMSPACE.match(extra.strip()):
            raise ArgError(f"type '{t}': only memrefs with the identity layout (contiguous, "
                           "row-major) can be passed")
        dims = tuple(None if d == "?" else int(d) for d in m.group(1).split("x") if d)
        return ArgType(m.group(2), dims, t)
    raise ArgError(f"type '{t}' cannot be passed from the host (supported: integer, index and "
                   "float scalars, and memrefs of them)")


def shape_text(shape) -> str:
    return "x".join("?" if d is None else str(d) for d in shape) or "scalar"


def launch_shape(value, what: str = "launch shape") -> tuple[int, int, int]:
    """A grid or block: `X[,Y[,Z]]` text, an int or a sequence of 1 to 3 positive sizes."""
    try:
        if isinstance(value, str):
            dims = [int(d) for d in value.split(",")]
        elif isinstance(value, (int, np.integer)):
            dims = [int(value)]
        else:
            dims = [int(d) for d in value]
    except (TypeError, ValueError):
        raise ArgError(f"{what} '{value}' is not X[,Y[,Z]] of integers") from None
    if not 1 <= len(dims) <= 3 or any(d < 1 for d in dims):
        raise ArgError(f"{what} '{value}' is not 1 to 3 positive sizes X[,Y[,Z]]")
    return tuple(dims + [1] * (3 - len(dims)))


def scalar_value(value, element: str, index: int):
    """A numpy scalar of exactly `element` for `value` (a Python or numpy number)."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    dtype = ELEMENTS[element][0]
    if element in FLOATS:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
            raise ArgTypeError(f"argument {index} is {element}, not "
                               f"{type(value).__name__} {value!r}")
        try:
            wide = float(value)
        except OverflowError:  # an int beyond every float
            raise ArgOverflowError(f"argument {index}: {value} does not fit in {element}") from None
        with np.errstate(over="ignore"):
            narrow = dtype.type(wide)
        if math.isinf(narrow) and not math.isinf(wide):
            raise ArgOverflowError(f"argument {index}: {value} does not fit in {element} (largest "
                           f"finite value: {float(np.finfo(dtype).max):g})")
        return narrow
    if isinstance(value, (float, np.floating)):
        raise ArgTypeError(f"argument {index} is {element}, not the float {value!r}")
    if not isinstance(value, (int, bool, np.integer, np.bool_)):
        raise ArgTypeError(f"argument {index} is {element}, not "
                           f"{type(value).__name__} {value!r}")
    v = int(value)
    if element == "i1":
        if v not in (0, 1):
            raise ArgOverflowError(f"argument {index}: {v} is not an i1 (0 or 1)")
        return np.bool_(v)
    bits = 64 if element == "index" else int(element[1:])
    if not -(1 << (bits - 1)) <= v < (1 << bits):
        raise ArgOverflowError(f"argument {index}: {v} does not fit in {element}")
    if v >= 1 << (bits - 1):  # an unsigned spelling of a negative value
        v -= 1 << bits
    return dtype.type(v)


def dtype_fits(element: str, dtype: np.dtype) -> bool:
    """Whether array elements of `dtype` are exactly MLIR's `element` (integers
    are signless: int32 and uint32 both fit i32)."""
    dtype = np.dtype(dtype)
    if element == "i1":
        return dtype == np.bool_
    if element == "index":
        return dtype.kind in "iu" and dtype.itemsize == 8
    if element.startswith("i"):
        return dtype.kind in "iu" and dtype.itemsize * 8 == int(element[1:])
    return dtype == ELEMENTS[element][0]


def c_contiguous(shape, strides) -> bool:
    """Whether `strides` (in elements; None: C order) are C order for `shape`."""
    if strides is None:
        return True
    expected = 1
    for dim, stride in reversed(list(zip(shape, strides))):
        if dim != 1 and stride != expected:
            return False
        expected *= dim
    return True


def check_array(layout: ArgType, shape, dtype, strides, index: int, what: str,
                callee: str) -> None:
    """An array argument against its memref parameter: dtype (ArgTypeError),
    shape and layout (ArgError, a ValueError). `strides` in elements."""
    if not dtype_fits(layout.element, dtype):
        raise ArgTypeError(f"argument {index} of {callee} is {layout} (dtype "
                           f"{layout.dtype}), but the {what} has dtype {np.dtype(dtype)}")
    shape = tuple(int(d) for d in shape)
    if len(shape) != len(layout.shape) or any(
            d is not None and d != s for d, s in zip(layout.shape, shape)):
        raise ArgError(f"argument {index} of {callee} is {layout} (shape "
                       f"{shape_text(layout.shape)}), but the {what} has shape "
                       f"{shape_text(shape)}")
    if not c_contiguous(shape, strides):
        raise ArgError(f"argument {index} of {callee}: the {what} is not C-contiguous "
                       f"(strides {tuple(strides)} elements), and {layout} has the identity "
                       "layout; pass a contiguous copy")


def host_scalar(layout: ArgType, value, index: int, callee: str):
    """A scalar argument as a numpy scalar of exactly its type; the error names the callee."""
    try:
        return scalar_value(value, layout.element, index)
    except ArgError as e:
        raise type(e)(f"{callee}: {e}") from None


def check_count(types: Sequence[ArgType], values: Sequence, callee: str) -> None:
    if len(values) != len(types):
        raise ArgTypeError(f"{callee} takes {len(types)} argument(s) "
                           f"({', '.join(map(str, types)) or 'none'}), {len(values)} given")


def host_array(layout: ArgType, value, index: int, callee: str) -> np.ndarray:
    """A numpy array argument, checked (no silent copy: it is updated in place)."""
    if not isinstance(value, np.ndarray):
        raise ArgTypeError(f"argument {index} of {callee} is {layout}: pass a numpy array, "
                           f"not {type(value).__name__}")
    check_array(layout, value.shape, value.dtype,
                None if value.flags.c_contiguous else
                tuple(s // max(1, value.itemsize) for s in value.strides), index, "array", callee)
    if not value.flags.writeable:
        raise ArgError(f"argument {index} of {callee}: the array is read-only, and {layout} "
                       "is updated in place")
    return value


def _number(text: str, element: str, index: int):
    """The Python number `text` spells for `element` (int(text, 0) or float(text)),
    or None if it spells none. A float beyond every double (`1e400`) is refused,
    not made infinite: only `inf` spelled as such is infinite."""
    try:
        if element not in FLOATS:
            return int(text, 0)
        value = float(text)
    except ValueError:
        return None
    if math.isinf(value) and "inf" not in text.lower():
        raise ArgError(f"argument {index}: {text} does not fit in {element}")
    return value


def _literal(text: str, element: str, index: int):
    value = _number(text, element, index)
    if value is None:
        raise ArgError(f"'{text}' is not a literal of type {element} (argument {index})")
    return scalar_value(value, element, index)


def concrete_type(declared: ArgType, text: str, index: int) -> ArgType:
    """The type of argument `index` given by spec `text`: the declared one, or,
    for a memref with dynamic dimensions, the shape the spec names."""
    type_text = text.partition("=")[0].strip()
    if not declared.is_memref:
        if type_text.startswith("memref"):
            raise ArgError(f"argument {index} is a {declared}, but '{text}' is a memref")
        return declared
    if type_text and not type_text.startswith("memref"):
        raise ArgError(f"argument {index} is a {declared}: its spec is TYPE, TYPE=FILL or "
                       f"TYPE=[v, ...], not '{text}'")
    if not type_text:
        if not declared.is_static:
            raise ArgError(f"argument {index} is a {declared}: its spec must give the shape, "
                           f"e.g. 'memref<{shape_text(d or 4 for d in declared.shape)}x"
                           f"{declared.element}>'")
        return declared
    given = parse_type(type_text)
    if (given.element != declared.element or given.shape is None or not given.is_static
            or len(given.shape) != len(declared.shape)
            or any(d is not None and d != g for d, g in zip(declared.shape, given.shape))):
        raise ArgError(f"argument {index} has type {declared}, but the spec says {given}")
    return given


def parse_arg(text: str, declared: ArgType, index: int):
    """(numpy scalar or array, its concrete ArgType) for the `--arg` spec `text`."""
    spec = concrete_type(declared, text, index)
    if not spec.is_memref:
        return _literal(text, spec.element, index), spec
    size = math.prod(spec.shape) * spec.dtype.itemsize
    if size > MAX_ARG_BYTES:
        raise ArgError(f"argument {index}: {spec} is {size} bytes; a memref argument is at most "
                       f"{MAX_ARG_BYTES} bytes ({MAX_ARG_BYTES >> 20} MiB)")
    _, eq, init = text.partition("=")
    init = init.strip()
    if not eq:
        return np.zeros(spec.shape, dtype=spec.dtype), spec
    if init.startswith("["):
        return _ListReader(init, spec, index).array(), spec
    array = np.empty(spec.shape, dtype=spec.dtype)
    array[...] = _literal(init, spec.element, index)
    return array, spec


class _ListReader:
    """The values `[v, ...]` (nested once per dimension) of a memref argument,
    each read as a literal of the element type; the nesting and every list's
    length must match the shape."""

    _TOKEN = re.compile(r"[\[\],]|[^\[\],\s]+")

    def __init__(self, text: str, spec: ArgType, index: int):
        self.spec, self.index = spec, index
        self.tokens = self._TOKEN.findall(text)
        self.pos = 0
        self.values: list = []

    def array(self) -> np.ndarray:
        if not self.spec.shape:
            raise self.error(f"{self.spec} holds one value: give it as TYPE=VALUE")
        self.read_list(0, ())
        if self.pos != len(self.tokens):
            raise self.error(f"unexpected '{' '.join(self.tokens[self.pos:])}' after the "
                             f"values of {self.spec}")
        return np.array(self.values, dtype=self.spec.dtype).reshape(self.spec.shape)

    def error(self, message: str) -> ArgError:
        return ArgError(f"argument {self.index}: {message}")

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str | None:
        token = self.peek()
        self.pos += 1
        return token

    @staticmethod
    def where(path: tuple[int, ...]) -> str:
        return "".join(f"[{i}]" for i in path)

    def list_at(self, path: tuple[int, ...]) -> str:
        return f"the list at {self.where(path)}" if path else "the outer list"

    def read_list(self, depth: int, path: tuple[int, ...]) -> None:
        self.take()  # "[": the caller has seen it
        count = 0
        while self.peek() != "]":
            token = self.peek()
            if token is None:
                raise self.error(f"{self.list_at(path)} is not closed with ']'")
            if token == ",":
                raise self.error(f"a value is missing in {self.list_at(path)}")
            self.read_item(depth, path + (count,))
            count += 1
            if self.peek() == ",":
                self.take()
            elif self.peek() != "]":
                found = self.peek()
                raise self.error(f"expected ',' or ']' after {self.where(path + (count - 1,))}, "
                                 f"found {'the end' if found is None else repr(found)}")
        self.take()
        want = self.spec.shape[depth]
        if count != want:
            raise self.error(f"{self.list_at(path)} has {count} value(s), "
                             f"{self.spec} wants {want} there")

    def read_item(self, depth: int, here: tuple[int, ...]) -> None:
        rank = len(self.spec.shape)
        token = self.peek()
        if depth + 1 < rank:
            if token != "[":
                raise self.error(f"'{token}' at {self.where(here)} should be a list: {self.spec} "
                                 f"nests {rank} lists deep")
            self.read_list(depth + 1, here)
            return
        if token == "[":
            raise self.error(f"a list at {self.where(here)} where {self.spec} has a value: it "
                             f"nests {rank} list(s) deep")
        self.take()
        value = _number(token, self.spec.element, self.index)
        if value is None:
            raise self.error(f"'{token}' at {self.where(here)} is not a literal of type "
                             f"{self.spec.element}")
        self.values.append(scalar_value(value, self.spec.element, self.index))


def parse_args(types: Sequence[ArgType], texts: Sequence[str], what: str = "the entry"):
    """(values, concrete types) for the `--arg` texts of an entry or kernel."""
    if len(texts) != len(types):
        raise ArgError(f"{what} takes {len(types)} argument(s), {len(texts)} given with --arg "
                       f"(types: {', '.join(map(str, types)) or 'none'})")
    pairs = [parse_arg(t, s, i) for i, (t, s) in enumerate(zip(texts, types))]
    return [v for v, _ in pairs], [s for _, s in pairs]


def format_scalar(value, element: str) -> str:
    if element in FLOATS:
        return "%e" % float(value)
    if element == "i1":
        return "1" if bool(value) else "0"
    return str(int(value))


def format_array(array: np.ndarray, element: str, summarise: bool = False) -> str:
    """`[v, v, ...]`, nested per dimension; `summarise`: numpy's summary, the
    first and last SUMMARY_EDGE items of each longer dimension around `...`."""
    if array.ndim == 0:
        return format_scalar(array, element)
    if summarise and len(array) > 2 * SUMMARY_EDGE:
        head, tail = array[:SUMMARY_EDGE], array[-SUMMARY_EDGE:]
        return (f"[{_items(head, element, summarise)}, ..., "
                f"{_items(tail, element, summarise)}]")
    return f"[{_items(array, element, summarise)}]"


_ROW_CHUNK = 1 << 16
"""Elements formatted at once: a long row costs its text, not a Python object per element."""


def _items(array: np.ndarray, element: str, summarise: bool) -> str:
    """The items of `array` (rank >= 1) without the brackets."""
    if array.ndim > 1:
        return ", ".join(format_array(a, element, summarise) for a in array)
    if element in FLOATS:
        spell = "%e".__mod__
    elif element == "i1":
        spell, array = str, array.astype(np.uint8)
    else:
        spell = str
    return ", ".join(", ".join(map(spell, array[i:i + _ROW_CHUNK].tolist()))
                     for i in range(0, len(array), _ROW_CHUNK))


def format_outputs(results: list, result_types: list[ArgType], args: list,
                   arg_types: list[ArgType], summarise_above: int | None = None) -> list[str]:
    """The output lines of a run: every result, then every memref argument
    (summarised when it has more than `summarise_above` elements)."""
    lines = [f"result {i}: {format_scalar(v, s.element)}"
             for i, (v, s) in enumerate(zip(results, result_types))]
    lines += [f"arg {i}: {format_array(a, s.element, summarise_above is not None and a.size > summarise_above)}"
              for i, (a, s) in enumerate(zip(args, arg_types)) if s.is_memref]
    return lines
