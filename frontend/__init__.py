"""gasync's Python frontend: `async def` functions compiled by gasync.

Importing it needs no MLIR; compiling (at the first run) does.
"""

from .api import (ArgumentCountError, Call, CompileError, CompileWarning, JitFunction, RuntimeFault, block_dim,
                  block_id, block_on, grid_dim, jit, kernel, spawn, thread_id, yield_now)
from .hardware import (Channel, Shared, bulk_load, bulk_store, flag_add, flag_store, flag_wait,
                       mbarrier_arrive, mbarrier_arrive_expect_tx, mbarrier_init, mbarrier_wait,
                       sleep, sync_threads)
from .types import Array, ArrayType, ScalarType, f16, f32, f64, i1, i8, i16, i32, i64

__all__ = [
    "Array", "ArrayType", "ArgumentCountError", "Call", "Channel", "CompileError", "CompileWarning", "JitFunction",
    "RuntimeFault", "ScalarType", "block_dim", "block_id", "block_on", "f16", "f32", "f64",
    "grid_dim", "i1", "i8", "i16", "i32", "i64", "jit", "kernel", "spawn", "thread_id",
    "yield_now", "Shared", "bulk_load", "bulk_store", "flag_add", "flag_store", "flag_wait",
    "mbarrier_arrive", "mbarrier_arrive_expect_tx", "mbarrier_init", "mbarrier_wait", "sleep",
    "sync_threads",
]
