"""The hardware futures and channels, as the Python frontend spells them.
MLIR-free: these are declarations and names that only compiled code uses
(docs/python.md, "Hardware futures and channels").

    flags = gasync.Shared(gasync.i64, 4)          static shared memory (module level)
    ring = gasync.Channel(gasync.f32, slots=4, tile=2048)
                                                  a channel of 4 slots of 2048 floats

    await gasync.flag_wait(arr, i, expected, cmp="ge", scope="gpu")   -> the flag's value
    gasync.flag_store(arr, i, value, scope="gpu")
    gasync.flag_add(arr, i, value, scope="gpu")                       -> the old value
    gasync.mbarrier_init(bars, i, count)
    gasync.mbarrier_arrive(bars, i)
    gasync.mbarrier_arrive_expect_tx(bars, i, nbytes)
    await gasync.mbarrier_wait(bars, i, parity)
    gasync.bulk_load(dst, src, offset, bars, i)   dst (Shared) <- src[offset:offset+len(dst)]
    await gasync.bulk_store(dst, offset, src)     dst[offset:offset+len(src)] <- src (Shared)
    await gasync.sleep(ns)
    ring.init(consumers); await ring.send(i, value) or await ring.send(i, array, offset)
    await ring.recv(i) (the value, or the slot's row in ring.slots); ring.release(i)
"""

from __future__ import annotations

from .api import _compiled_only
from .types import PYTHON_SCALARS, ScalarType, SharedArrayType


def _element(element, what: str) -> ScalarType:
    element = PYTHON_SCALARS.get(element, element)
    if not isinstance(element, ScalarType) or element.is_bool:
        raise TypeError(f"{what} holds a gasync integer or float type (gasync.i32, gasync.f32, ...)")
    return element


def _positive(value, what: str) -> int:
    if type(value) is not int or value <= 0:
        raise TypeError(f"{what} must be a positive int, not {value!r}")
    return value


class Shared:
    """A static buffer in shared memory, declared at module level as CUDA's
    `__shared__` is: one per block on the GPU, one per process on the CPU,
    the same buffer for every function that names it. Compiled code reads and
    writes it with subscripts and hands it to the hardware ops (an mbarrier
    is an i64 element)."""

    def __init__(self, element, *shape):
        self.element = _element(element, "gasync.Shared")
        if not 1 <= len(shape) <= 2:
            raise TypeError("gasync.Shared(T, n) or gasync.Shared(T, rows, columns)")
        self.shape = tuple(_positive(d, "a gasync.Shared dimension") for d in shape)

    @property
    def type(self) -> SharedArrayType:
        return SharedArrayType(self.element, len(self.shape), self.shape)

    def __repr__(self) -> str:
        return f"gasync.Shared({self.element!r}, {', '.join(map(str, self.shape))})"


class Channel:
    """A bounded channel of `slots` messages (docs/hardware-futures.md,
    "Channels"): scalars of `element`, or tiles of `tile` elements when
    `tile` is given. The compiler owns its mbarriers, phases and arrival
    counts; `slots` (a gasync.Shared of slots x tile) is where a tile
    channel's receivers read a received tile in place."""

    def __init__(self, element, slots: int, tile: int | None = None):
        self.element = _element(element, "gasync.Channel")
        self.count = _positive(slots, "a channel's slots")
        self.tile = None if tile is None else _positive(tile, "a channel's tile")
        self.slots = Shared(self.element, *((slots,) if tile is None else (slots, tile)))
        self.state = Shared(PYTHON_SCALARS[int], 2 * slots)

    init = send = recv = release = staticmethod(_compiled_only("Channel methods"))

    def __repr__(self) -> str:
        tile = "" if self.tile is None else f", tile={self.tile}"
        return f"gasync.Channel({self.element!r}, slots={self.count}{tile})"


flag_wait = _compiled_only("flag_wait")
flag_store = _compiled_only("flag_store")
flag_add = _compiled_only("flag_add")
mbarrier_init = _compiled_only("mbarrier_init")
mbarrier_arrive = _compiled_only("mbarrier_arrive")
mbarrier_arrive_expect_tx = _compiled_only("mbarrier_arrive_expect_tx")
mbarrier_wait = _compiled_only("mbarrier_wait")
bulk_load = _compiled_only("bulk_load")
bulk_store = _compiled_only("bulk_store")
sleep = _compiled_only("sleep")
sync_threads = _compiled_only("sync_threads")

OPS = ("flag_wait", "flag_store", "flag_add", "mbarrier_init", "mbarrier_arrive",
       "mbarrier_arrive_expect_tx", "mbarrier_wait", "bulk_load", "bulk_store", "sleep",
       "sync_threads")
