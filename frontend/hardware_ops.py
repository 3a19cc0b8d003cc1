"""Compiling the hardware futures and channels (frontend/hardware.py) through
the dialect's builders: a mixin of the FunctionBuilder, one method per name.

A flag or an mbarrier is one element of an array (`arr[i]`): a memref.subview
of one element, which the ops read as its address. A `gasync.Shared` buffer
is a memref.global (Program.shared_value): in shared memory when the
program is a kernel's, in plain memory on the CPU. Attributes (cmp, scope)
are string literals; everything else is checked here with located errors,
then by the dialect's verifier (also located at the Python line).
"""

from __future__ import annotations

import ast

from mlir import ir
from mlir.dialects import arith, gpu, memref

from gasync.dialect import builders as gb

from . import compiler as c
from . import hardware
from .types import ArrayType, HandleType, ScalarType, SharedArrayType, i32, i64

COMPARISONS = {"eq": "eq", "ne": "ne", "lt": "slt", "le": "sle", "gt": "sgt", "ge": "sge",
               "ult": "ult", "ule": "ule", "ugt": "ugt", "uge": "uge"}
"""flag_wait's `cmp`: Python's comparisons (signed) and the unsigned ones."""
SCOPES = ("block", "gpu", "system")
FLAG_TYPES = (i32, i64)
CHANNEL_METHODS = ("init", "send", "recv", "release")


class HardwareOps:
    """The FunctionBuilder's calls of gasync.flag_wait & co. and channel methods."""

    def hardware_call(self, target, e):
        return getattr(self, "hw_" + target.__name__)(e)

    # Operands ----------------------------------------------------------
    def hw_args(self, e, names: tuple[str, ...], keywords: dict[str, tuple] | None = None):
        """The positional arguments `names` (nodes) and the string-literal
        keywords (`keywords`: name -> allowed values; value None if absent)."""
        keywords = keywords or {}
        what = self.hw_name(e)
        if len(e.args) != len(names) or any(isinstance(a, ast.Starred) for a in e.args):
            raise self.error(e, f"{what} takes {len(names)} argument(s) ({', '.join(names)}), "
                                f"{len(e.args)} given")
        found = {}
        for kw in e.keywords:
            if kw.arg not in keywords:
                raise self.error(kw, f"{what} takes no keyword '{kw.arg}'"
                                     + (f" (only {', '.join(keywords)})" if keywords else ""))
            v = kw.value
            if not (isinstance(v, ast.Constant) and v.value in keywords[kw.arg]):
                raise self.error(kw.value, f"the keyword '{kw.arg}' of {what} takes a string "
                                           f"literal: {', '.join(repr(s) for s in keywords[kw.arg])}")
            found[kw.arg] = v.value
        return list(e.args), {k: found.get(k) for k in keywords}

    def hw_name(self, e) -> str:
        return ast.unparse(e.func)

    def hw_array(self, node, what: str, *, elements=None, shared=None, rank=1) -> "c.Val":
        """An array operand: `shared` True (a gasync.Shared), False (an Array
        argument), None (either); of rank `rank` and one of `elements`."""
        v = self.expr(node)
        t = v.type
        ok = isinstance(t, ArrayType) and t.rank == rank and (
            shared is None or shared == isinstance(t, SharedArrayType))
        kind = {True: "a gasync.Shared buffer", False: "an array argument",
                None: "an array"}[shared]
        if not ok:
            raise self.error(node, f"{what} must be {kind} of rank {rank}, not "
                                   f"{'an untyped literal' if t is None else t}")
        if elements is not None and t.element not in elements:
            raise self.error(node, f"{what} must hold {' or '.join(map(str, elements))}, not "
                                   f"{t.element}")
        return v

    def hw_element(self, arr_node, index_node, what: str, elements, *, shared=None):
        """The array and `arr[index]` as a one-element memref (what the flag and
        mbarrier ops take); negative indices count from the end, as subscripts do."""
        arr = self.hw_array(arr_node, what, elements=elements, shared=shared)
        node = ast.copy_location(ast.Subscript(value=arr_node, slice=index_node, ctx=ast.Load()),
                                 index_node)
        _, (idx,) = self.indices(node, arr)
        return arr, memref.subview(arr.value, [idx], [1], [1], ip=self.ip)

    def hw_scalar(self, node, t: ScalarType, what: str) -> ir.Value:
        v = self.expr(node)
        if not (v.is_literal or isinstance(v.type, ScalarType)):
            raise self.error(node, f"{what} must be {t}, not {v.type}")
        return self.coerce(v, t, node, what)

    def hw_index(self, node, what: str) -> ir.Value:
        """An integer as an MLIR index (a message number)."""
        v = self.scalar(self.expr(node), node, what)
        if v.is_literal:
            if not isinstance(v.literal, int) or v.literal < 0:
                raise self.error(node, f"{what} must be a non-negative integer")
            v = self.materialize(v, node, i64)
        if not v.type.is_int or v.type.is_bool:
            raise self.error(node, f"{what} must be an integer, not {v.type}")
        return arith.index_cast(ir.IndexType.get(), self.convert(v, i64), ip=self.ip)

    def hw_future(self, e, value: ScalarType | None, fut: ir.Value, *, slot=False) -> "c.Val":
        if not self.is_async and self.kind != "kernel":
            raise self.error(e, f"{self.hw_name(e)} makes a future: await it in an async function "
                                "(or pass it to gasync.block_on in a kernel)")
        return c.Val(HandleType(value, slot=slot), fut)

    # Flags -------------------------------------------------------------
    def hw_flag_wait(self, e):
        (arr, i, expected), kw = self.hw_args(e, ("array", "index", "expected"),
                                              {"cmp": tuple(COMPARISONS), "scope": SCOPES})
        flags, flag = self.hw_element(arr, i, "the flag array", FLAG_TYPES)
        t = flags.type.element
        value = self.hw_scalar(expected, t, "the expected value")
        cmp = kw["cmp"]
        fut = gb.flag_wait(flag, value, predicate=None if cmp is None else COMPARISONS[cmp],
                           scope=kw["scope"], ip=self.ip)
        return self.hw_future(e, t, fut)

    def hw_flag_store(self, e):
        (arr, i, value), kw = self.hw_args(e, ("array", "index", "value"), {"scope": SCOPES})
        flags, flag = self.hw_element(arr, i, "the flag array", FLAG_TYPES)
        v = self.hw_scalar(value, flags.type.element, "the stored value")
        gb.flag_store(flag, v, scope=kw["scope"], ip=self.ip)
        return c.Val(c.NO_VALUE)

    def hw_flag_add(self, e):
        (arr, i, value), kw = self.hw_args(e, ("array", "index", "value"), {"scope": SCOPES})
        flags, flag = self.hw_element(arr, i, "the flag array", FLAG_TYPES)
        t = flags.type.element
        v = self.hw_scalar(value, t, "the added value")
        return c.Val(t, gb.flag_add(flag, v, scope=kw["scope"], ip=self.ip))

    # mbarriers ---------------------------------------------------------
    def hw_barrier(self, arr, i) -> ir.Value:
        return self.hw_element(arr, i, "the mbarrier array", (i64,), shared=True)[1]

    def hw_mbarrier_init(self, e):
        (arr, i, count), _ = self.hw_args(e, ("bars", "index", "count"))
        bar = self.hw_barrier(arr, i)
        gb.mbarrier_init(bar, self.hw_scalar(count, i32, "the arrival count"), ip=self.ip)
        return c.Val(c.NO_VALUE)

    def hw_mbarrier_arrive(self, e):
        (arr, i), _ = self.hw_args(e, ("bars", "index"))
        gb.mbarrier_arrive(self.hw_barrier(arr, i), ip=self.ip)
        return c.Val(c.NO_VALUE)

    def hw_mbarrier_arrive_expect_tx(self, e):
        (arr, i, nbytes), _ = self.hw_args(e, ("bars", "index", "nbytes"))
        bar = self.hw_barrier(arr, i)
        gb.mbarrier_arrive_expect_tx(bar, self.hw_scalar(nbytes, i32, "the byte count"),
                                     ip=self.ip)
        return c.Val(c.NO_VALUE)

    def hw_mbarrier_wait(self, e):
        (arr, i, parity), _ = self.hw_args(e, ("bars", "index", "parity"))
        bar = self.hw_barrier(arr, i)
        fut = gb.mbarrier_wait(bar, self.hw_scalar(parity, i32, "the parity"), ip=self.ip)
        return self.hw_future(e, None, fut)

    # Bulk copies -------------------------------------------------------
    def hw_window(self, array_node, offset_node, length: int, element, what: str) -> ir.Value:
        """`array[offset:offset + length]` of an Array argument."""
        arr = self.hw_array(array_node, what, shared=False, elements=(element,))
        offset = self.hw_index(offset_node, "the offset")
        return memref.subview(arr.value, [offset], [length], [1], ip=self.ip)

    def hw_bulk_load(self, e):
        (dst, src, offset, bars, i), _ = self.hw_args(e, ("dst", "src", "offset", "bars", "index"))
        d = self.hw_array(dst, "the destination", shared=True)
        window = self.hw_window(src, offset, d.type.shape[0], d.type.element, "the source")
        gb.bulk_load(d.value, window, self.hw_barrier(bars, i), ip=self.ip)
        return c.Val(c.NO_VALUE)

    def hw_bulk_store(self, e):
        (dst, offset, src), _ = self.hw_args(e, ("dst", "offset", "src"))
        s = self.hw_array(src, "the source", shared=True)
        window = self.hw_window(dst, offset, s.type.shape[0], s.type.element, "the destination")
        return self.hw_future(e, None, gb.bulk_store(window, s.value, ip=self.ip))

    def hw_sleep(self, e):
        (ns,), _ = self.hw_args(e, ("ns",))
        return self.hw_future(e, None, gb.sleep(self.hw_scalar(ns, i64, "the duration (ns)"),
                                                 ip=self.ip))

    def hw_sync_threads(self, e):
        self.hw_args(e, ())
        if self.kind != "kernel":
            raise self.error(e, "gasync.sync_threads() is a barrier of the block's threads: "
                                "only in a gasync.kernel")
        gpu.BarrierOp(ip=self.ip)
        return c.Val(c.NO_VALUE)

    # Channels ----------------------------------------------------------
    def channel_call(self, channel: hardware.Channel, method: str, e):
        if method not in CHANNEL_METHODS:
            raise self.error(e.func, f"a gasync.Channel has no method '{method}' (it has "
                                     f"{', '.join(CHANNEL_METHODS)})")
        name = ast.unparse(e.func.value)
        slots = self.program.shared_value(self, channel.slots, name)
        state = self.program.shared_value(self, channel.state, f"{name}_state")
        if method == "init":
            (consumers,), _ = self.hw_args(e, ("consumers",))
            gb.channel_init(slots, state, self.hw_scalar(consumers, i32, "the receiver count"),
                            ip=self.ip)
            return c.Val(c.NO_VALUE)
        if method == "send":
            if channel.tile is None:
                (i, value), _ = self.hw_args(e, ("i", "value"))
                message = self.hw_scalar(value, channel.element, f"the message of '{name}'")
            else:
                (i, array, offset), _ = self.hw_args(e, ("i", "array", "offset"))
                message = self.hw_window(array, offset, channel.tile, channel.element,
                                         f"the tile sent on '{name}'")
            index = self.hw_index(i, "the message number")
            return self.hw_future(e, None, gb.send(slots, state, index, message, ip=self.ip))
        (i,), _ = self.hw_args(e, ("i",))
        index = self.hw_index(i, "the message number")
        if method == "release":
            if channel.tile is None:
                raise self.error(e, f"'{name}' is a scalar channel: its recv frees the slot "
                                    "(release is for tile channels)")
            gb.release(slots, state, index, ip=self.ip)
            return c.Val(c.NO_VALUE)
        fut = gb.recv(slots, state, index, ip=self.ip)
        if channel.tile is None:
            return self.hw_future(e, channel.element, fut)
        # A tile channel's recv gives the slot's index: awaited, an i64 row of `slots`.
        return self.hw_future(e, i64, fut, slot=True)

