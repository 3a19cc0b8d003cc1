"""Python builders for every gasync op (keyword `loc`/`ip`, as upstream)."""

from __future__ import annotations

from typing import Sequence

from mlir import ir

from . import types as gt
from .catalogue import ASYNC_ATTR, AWAIT, BLOCK_ON, CALLEE, FUTURE, READY, RETURN, SPAWN, THEN, YIELD


def _symbol(callee: str | ir.Attribute) -> ir.Attribute:
    if isinstance(callee, ir.Attribute):
        return callee
    return ir.FlatSymbolRefAttr.get(callee.lstrip("@"))


def _one(op: ir.Operation) -> ir.Value | None:
    return op.results[0] if len(op.results) else None


def future(callee: str, args: Sequence[ir.Value], result_type: ir.Type | None = None, *,
           loc=None, ip=None) -> ir.Value:
    """`"gasync.future"(args) {callee = @callee} : (A...) -> result_type`.

    `result_type` is the future's value type `T` (or the `!gasync.fut<T>`
    itself); None means `!gasync.fut<none>`.
    """
    if result_type is None or not gt.is_future_type(result_type):
        result_type = gt.future_type(result_type)
    op = ir.Operation.create(FUTURE.name, results=[result_type], operands=list(args),
                             attributes={CALLEE: _symbol(callee)}, loc=loc, ip=ip)
    return op.result


def async_block(value_type: ir.Type | None = None, *, loc=None, ip=None) -> tuple[ir.Value, ir.Block]:
    """An async block: returns (the future, the body block to fill).

    The body must end with `return_(...)`; it may use values defined above.
    """
    op = ir.Operation.create(FUTURE.name, results=[gt.future_type(value_type)], regions=1,
                             loc=loc, ip=ip)
    body = op.regions[0].blocks.append()
    return op.result, body


def return_(value: ir.Value | None = None, *, loc=None, ip=None) -> ir.Operation:
    return ir.Operation.create(RETURN.name, operands=[] if value is None else [value],
                               loc=loc, ip=ip)


def ready(value: ir.Value | None = None, *, loc=None, ip=None) -> ir.Value:
    t = gt.future_type(None if value is None else value.type)
    return ir.Operation.create(READY.name, results=[t], operands=[] if value is None else [value],
                               loc=loc, ip=ip).result


def then(fut: ir.Value, callee: str, extra: Sequence[ir.Value] = (), result_type: ir.Type | None = None,
         *, loc=None, ip=None) -> ir.Value:
    """A future that awaits `fut`, then runs async `@callee(value, *extra)`."""
    if result_type is None or not gt.is_future_type(result_type):
        result_type = gt.future_type(result_type)
    op = ir.Operation.create(THEN.name, results=[result_type], operands=[fut, *extra],
                             attributes={CALLEE: _symbol(callee)}, loc=loc, ip=ip)
    return op.result


def await_(handle: ir.Value, *, loc=None, ip=None) -> ir.Value | None:
    """Await a future or a task; returns the value, or None for `none`."""
    op = ir.Operation.create(AWAIT.name, results=gt.value_types(gt.value_type(handle.type)),
                             operands=[handle], loc=loc, ip=ip)
    return _one(op)


def spawn(fut: ir.Value, *, loc=None, ip=None) -> ir.Value:
    t = gt.task_type(gt.value_type(fut.type))
    return ir.Operation.create(SPAWN.name, results=[t], operands=[fut], loc=loc, ip=ip).result


def yield_(*, loc=None, ip=None) -> ir.Operation:
    return ir.Operation.create(YIELD.name, loc=loc, ip=ip)


def block_on(fut: ir.Value, *, attributes: dict | None = None, loc=None, ip=None) -> ir.Value | None:
    op = ir.Operation.create(BLOCK_ON.name, results=gt.value_types(gt.value_type(fut.type)),
                             operands=[fut], attributes=attributes, loc=loc, ip=ip)
    return _one(op)


def mark_async(func_op) -> None:
    """Make a `func.func` an async function."""
    func_op.operation.attributes[ASYNC_ATTR] = ir.UnitAttr.get()
