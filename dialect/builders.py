"""Python builders for every gasync op (keyword `loc`/`ip`, as upstream)."""

from __future__ import annotations

from typing import Sequence

from mlir import ir

from . import types as gt
from .catalogue import (ASYNC_ATTR, AWAIT, BLOCK_ON, BULK_LOAD, BULK_STORE, CALLEE, CHANNEL_INIT,
                        FLAG_ADD, RECV, RELEASE, SEND,
                        FLAG_STORE, FLAG_WAIT, FUTURE, MBARRIER_ARRIVE, MBARRIER_ARRIVE_EXPECT_TX,
                        MBARRIER_INIT, MBARRIER_WAIT, MEMORY_SCOPE, PREDICATE, READY, RETURN, SLEEP,
                        SPAWN, THEN, YIELD)


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


def _scope_attrs(scope: str | None, predicate: str | None = None) -> dict:
    attrs = {}
    if predicate is not None:
        attrs[PREDICATE] = ir.StringAttr.get(predicate)
    if scope is not None:
        attrs[MEMORY_SCOPE] = ir.StringAttr.get(scope)
    return attrs


def flag_wait(flag: ir.Value, expected: ir.Value, *, predicate: str | None = None,
              scope: str | None = None, loc=None, ip=None) -> ir.Value:
    """A future ready when `flag`'s first element compares true with `expected`
    (`predicate` an arith.cmpi name, default "eq"); its value is the flag's."""
    return ir.Operation.create(FLAG_WAIT.name, results=[gt.future_type(expected.type)],
                               operands=[flag, expected],
                               attributes=_scope_attrs(scope, predicate), loc=loc, ip=ip).result


def flag_store(flag: ir.Value, value: ir.Value, *, scope: str | None = None, loc=None,
               ip=None) -> ir.Operation:
    return ir.Operation.create(FLAG_STORE.name, operands=[flag, value],
                               attributes=_scope_attrs(scope), loc=loc, ip=ip)


def flag_add(flag: ir.Value, value: ir.Value, *, scope: str | None = None, loc=None,
             ip=None) -> ir.Value:
    """Release atomic add; returns the old value."""
    return ir.Operation.create(FLAG_ADD.name, results=[value.type], operands=[flag, value],
                               attributes=_scope_attrs(scope), loc=loc, ip=ip).result


def mbarrier_init(bar: ir.Value, count: ir.Value, *, loc=None, ip=None) -> ir.Operation:
    return ir.Operation.create(MBARRIER_INIT.name, operands=[bar, count], loc=loc, ip=ip)


def mbarrier_arrive(bar: ir.Value, *, loc=None, ip=None) -> ir.Operation:
    return ir.Operation.create(MBARRIER_ARRIVE.name, operands=[bar], loc=loc, ip=ip)


def mbarrier_arrive_expect_tx(bar: ir.Value, nbytes: ir.Value, *, loc=None,
                              ip=None) -> ir.Operation:
    return ir.Operation.create(MBARRIER_ARRIVE_EXPECT_TX.name, operands=[bar, nbytes], loc=loc,
                               ip=ip)


def mbarrier_wait(bar: ir.Value, parity: ir.Value, *, loc=None, ip=None) -> ir.Value:
    """A future ready when `bar`'s phase of parity `parity` has completed."""
    return ir.Operation.create(MBARRIER_WAIT.name, results=[gt.future_type(None)],
                               operands=[bar, parity], loc=loc, ip=ip).result


def bulk_load(dst: ir.Value, src: ir.Value, bar: ir.Value, *, loc=None, ip=None) -> ir.Operation:
    return ir.Operation.create(BULK_LOAD.name, operands=[dst, src, bar], loc=loc, ip=ip)


def bulk_store(dst: ir.Value, src: ir.Value, *, loc=None, ip=None) -> ir.Value:
    return ir.Operation.create(BULK_STORE.name, results=[gt.future_type(None)],
                               operands=[dst, src], loc=loc, ip=ip).result


def sleep(ns: ir.Value, *, loc=None, ip=None) -> ir.Value:
    return ir.Operation.create(SLEEP.name, results=[gt.future_type(None)], operands=[ns],
                               loc=loc, ip=ip).result


def channel_init(slots: ir.Value, state: ir.Value, consumers: ir.Value, *, loc=None,
                 ip=None) -> ir.Operation:
    return ir.Operation.create(CHANNEL_INIT.name, operands=[slots, state, consumers], loc=loc,
                               ip=ip)


def send(slots: ir.Value, state: ir.Value, index: ir.Value, message: ir.Value, *, loc=None,
         ip=None) -> ir.Value:
    """A future that sends message number `index`: a value, or a tile (a memref)."""
    return ir.Operation.create(SEND.name, results=[gt.future_type(None)],
                               operands=[slots, state, index, message], loc=loc, ip=ip).result


def recv(slots: ir.Value, state: ir.Value, index: ir.Value, *, loc=None, ip=None) -> ir.Value:
    """A future for message number `index`: its value on a scalar channel, its
    slot's index on a tile one."""
    t = ir.MemRefType(slots.type)
    value = t.element_type if t.rank == 1 else ir.IndexType.get()
    return ir.Operation.create(RECV.name, results=[gt.future_type(value)],
                               operands=[slots, state, index], loc=loc, ip=ip).result


def release(slots: ir.Value, state: ir.Value, index: ir.Value, *, loc=None,
            ip=None) -> ir.Operation:
    return ir.Operation.create(RELEASE.name, operands=[slots, state, index], loc=loc, ip=ip)


def mark_async(func_op) -> None:
    """Make a `func.func` an async function."""
    func_op.operation.attributes[ASYNC_ATTR] = ir.UnitAttr.get()
