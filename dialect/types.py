"""The gasync types, `!gasync.fut<T>` and `!gasync.task<T>`.

Both are opaque types of the unregistered `gasync` namespace (docs/design.md,
"The stack"): MLIR parses `!gasync.fut<i32>` as an `OpaqueType` with namespace
`gasync` and data `fut<i32>`; the value type is recovered by parsing the text
between the angle brackets.
"""

from __future__ import annotations

from mlir import ir

NAMESPACE = "gasync"
FUTURE = "fut"
TASK = "task"
TYPE_KINDS = (FUTURE, TASK)


def opaque(t: ir.Type) -> ir.OpaqueType | None:
    """`t` as an OpaqueType (a type of an unregistered dialect), or None.

    The bindings give most types as their own class already; a bare ir.Type is
    checked by its type id (casting it would raise for every other type, and
    a raised exception costs as much as verifying an op)."""
    if isinstance(t, ir.OpaqueType):
        return t
    if type(t) is ir.Type and t.typeid == ir.OpaqueType.static_typeid:
        return ir.OpaqueType(t)
    return None


def _split(t: ir.Type) -> tuple[str, str] | None:
    """(kind, value-type text) of a gasync type, or None for any other type."""
    opaque_type = opaque(t)
    if opaque_type is None or opaque_type.dialect_namespace != NAMESPACE:
        return None
    data = opaque_type.data
    lt = data.find("<")
    if lt < 0 or not data.endswith(">"):
        return (data, "")
    return (data[:lt], data[lt + 1 : -1])


def is_gasync_type(t: ir.Type) -> bool:
    return _split(t) is not None


def is_future_type(t: ir.Type) -> bool:
    parts = _split(t)
    return parts is not None and parts[0] == FUTURE


def is_task_type(t: ir.Type) -> bool:
    parts = _split(t)
    return parts is not None and parts[0] == TASK


def is_handle_type(t: ir.Type) -> bool:
    """A future or a task handle: the linear types."""
    return is_future_type(t) or is_task_type(t)


class GasyncTypeError(ValueError):
    """A `!gasync.*` type that is not well formed."""


def check_type(t: ir.Type) -> None:
    """Raise GasyncTypeError unless `t`, a gasync type, is well formed."""
    parts = _split(t)
    assert parts is not None
    kind, inner = parts
    if kind not in TYPE_KINDS:
        raise GasyncTypeError(f"unknown gasync type '{t}' (the gasync types are "
                              "!gasync.fut<T> and !gasync.task<T>)")
    if not inner:
        raise GasyncTypeError(f"'{t}' needs a value type, as in !gasync.{kind}<i32> "
                              f"or !gasync.{kind}<none>")
    try:
        inner_type = ir.Type.parse(inner, t.context)
    except ir.MLIRError:
        raise GasyncTypeError(f"cannot parse the value type '{inner}' of '{t}'") from None
    if is_gasync_type(inner_type):
        raise GasyncTypeError(f"'{t}': a future or task of a future or task is not supported")


def value_type(t: ir.Type) -> ir.Type:
    """The `T` of `!gasync.fut<T>` or `!gasync.task<T>` (`none` for no value)."""
    parts = _split(t)
    if parts is None:
        raise ValueError(f"'{t}' is not a gasync type")
    return ir.Type.parse(parts[1], t.context)


def has_value(t: ir.Type) -> bool:
    """Whether awaiting a future or task of type `t` gives a value."""
    return not isinstance(value_type(t), ir.NoneType)


def _make(kind: str, value: ir.Type | None, context: ir.Context | None) -> ir.Type:
    if value is None:
        value = ir.NoneType.get(context)
    context = context or value.context
    return ir.OpaqueType.get(NAMESPACE, f"{kind}<{value}>", context)


def future_type(value: ir.Type | None = None, context: ir.Context | None = None) -> ir.Type:
    """`!gasync.fut<value>`; `value=None` gives `!gasync.fut<none>`."""
    return _make(FUTURE, value, context)


def task_type(value: ir.Type | None = None, context: ir.Context | None = None) -> ir.Type:
    """`!gasync.task<value>`; `value=None` gives `!gasync.task<none>`."""
    return _make(TASK, value, context)


def value_types(value: ir.Type) -> list[ir.Type]:
    """The result types of awaiting a value of type `value`: [] for none."""
    return [] if isinstance(value, ir.NoneType) else [value]


MAX_INTEGER_BITS = 1 << 23
"""LLVM's limit on an integer type's width (IntegerType::MAX_INT_BITS)."""


def lowering_problem(t: ir.Type) -> tuple[ir.Type, str] | None:
    """The part of type `t` that gasync's LLVM-based pipelines cannot compile
    and why, or None. MLIR accepts these types and then asserts or aborts
    in the LLVM lowering or the backend; gasync rejects them first."""
    # An explicit worklist: a type may nest element types deeply.
    pending = [t]
    while pending:
        t = pending.pop()
        if isinstance(t, ir.IntegerType):
            if t.width == 0:
                return t, "LLVM has no 0-bit integers"
            if t.width > MAX_INTEGER_BITS:
                return t, f"LLVM's integers are at most {MAX_INTEGER_BITS} bits wide"
        elif isinstance(t, ir.VectorType) and t.scalable:
            return t, ("scalable vectors exist on neither of gasync's targets "
                       "(x86-64 CPUs, NVIDIA GPUs)")
        if isinstance(t, ir.ShapedType) or isinstance(t, ir.ComplexType):
            pending.append(t.element_type)
        elif isinstance(t, ir.TupleType):
            pending.extend(t.get_type(i) for i in range(t.num_types))
        elif isinstance(t, ir.FunctionType):
            pending.extend(list(t.inputs) + list(t.results))
        elif is_gasync_type(t) and _split(t)[1]:
            try:
                pending.append(value_type(t))
            except ir.MLIRError:
                pass  # check_type reports a value type that does not parse
    return None
