"""Argument specs and result printing for gasync-run, shared by the CPU and GPU
paths. Imports only numpy: it runs where MLIR is not installed.

Types are MLIR type strings: integer (`i1`, `i8`, ..., `i64`), `index`,
float (`f16`, `f32`, `f64`) and static memrefs (`memref<2x3xi32>`).

A scalar arg is a literal (`21`, `1.5`); a memref arg is `TYPE`, `TYPE=FILL`
or `TYPE=[v, ...]` (nested lists for rank > 1), zero-filled by default.
After a run, each result prints as `result N: VALUE` and each memref
argument as `arg N: [v, v, ...]`: i1 as 0 or 1, integers and index in
decimal, floats in C's `%e` form.
"""

from __future__ import annotations

import ast
import dataclasses
import re

import numpy as np

_SCALARS = {
    "i1": np.bool_, "i8": np.int8, "i16": np.int16, "i32": np.int32, "i64": np.int64,
    "index": np.int64, "f16": np.float16, "f32": np.float32, "f64": np.float64,
}


class ArgError(ValueError):
    """A command-line argument that does not fit the entry's signature."""


@dataclasses.dataclass(frozen=True)
class TypeSpec:
    """A scalar type, or a static memref of a scalar type."""

    element: str
    shape: tuple[int, ...] | None = None  # None: a scalar

    @property
    def is_memref(self) -> bool:
        return self.shape is not None

    @property
    def dtype(self) -> np.dtype:
        return np.dtype(_SCALARS[self.element])

    def __str__(self) -> str:
        if self.shape is None:
            return self.element
        dims = "".join(f"{d}x" for d in self.shape)
        return f"memref<{dims}{self.element}>"


_MEMREF = re.compile(r"^memref<((?:\d+x)*)([a-z0-9]+)>$")


def parse_type(text: str) -> TypeSpec:
    text = text.strip()
    if text in _SCALARS:
        return TypeSpec(text)
    m = _MEMREF.match(text.replace(" ", ""))
    if m and m.group(2) in _SCALARS:
        dims = tuple(int(d) for d in m.group(1).split("x") if d)
        return TypeSpec(m.group(2), dims)
    raise ArgError(f"type '{text}' is not supported by gasync-run (scalars of integer, index "
                   "or float type, and memrefs of static shape)")


def _scalar(text: str, spec: TypeSpec):
    try:
        if spec.element in ("f16", "f32", "f64"):
            return spec.dtype.type(float(text))
        value = int(text, 0)
    except ValueError:
        raise ArgError(f"'{text}' is not a literal of type {spec.element}") from None
    if spec.element == "i1":
        if value not in (0, 1):
            raise ArgError(f"'{text}' is not an i1 (0 or 1)")
        return np.bool_(value)
    bits = 64 if spec.element == "index" else int(spec.element[1:])
    if not -(1 << (bits - 1)) <= value < (1 << bits):
        raise ArgError(f"'{text}' does not fit in {spec.element}")
    if value >= 1 << (bits - 1):  # an unsigned spelling of a negative value
        value -= 1 << bits
    return spec.dtype.type(value)


def parse_arg(text: str, spec: TypeSpec, index: int):
    """A numpy scalar or array for argument `index` of type `spec`."""
    if not spec.is_memref:
        if text.startswith("memref"):
            raise ArgError(f"argument {index} is a {spec}, but '{text}' is a memref")
        return _scalar(text, spec)
    type_text, eq, init = text.partition("=")
    given = parse_type(type_text) if type_text.strip() else spec
    if given != spec:
        raise ArgError(f"argument {index} has type {spec}, but the spec says {given}")
    array = np.zeros(spec.shape, dtype=spec.dtype)
    if not eq:
        return array
    init = init.strip()
    if init.startswith("["):
        try:
            values = ast.literal_eval(init)
        except (ValueError, SyntaxError):
            raise ArgError(f"argument {index}: cannot read the values '{init}'") from None
        data = np.array(values, dtype=spec.dtype)
        if data.shape != spec.shape:
            raise ArgError(f"argument {index}: {len(data.flat)} values of shape {data.shape} "
                           f"given for {spec}")
        return data
    array[...] = _scalar(init, TypeSpec(spec.element))
    return array


def format_scalar(value, element: str) -> str:
    if element in ("f16", "f32", "f64"):
        return "%e" % float(value)
    if element == "i1":
        return "1" if bool(value) else "0"
    return str(int(value))


def format_array(array: np.ndarray, element: str) -> str:
    if array.ndim == 0:
        return format_scalar(array, element)
    return "[" + ", ".join(format_array(a, element) if array.ndim > 1 else format_scalar(a, element)
                           for a in array) + "]"


def format_outputs(results: list, result_specs: list[TypeSpec], args: list,
                   arg_specs: list[TypeSpec]) -> list[str]:
    lines = [f"result {i}: {format_scalar(v, s.element)}"
             for i, (v, s) in enumerate(zip(results, result_specs))]
    lines += [f"arg {i}: {format_array(a, s.element)}"
              for i, (a, s) in enumerate(zip(args, arg_specs)) if s.is_memref]
    return lines
