"""The gasync dialect: types, op catalogue, builders, verifier."""

from .builders import (async_block, await_, block_on, bulk_load, bulk_store, channel_init, flag_add,
                       flag_store, flag_wait, future, mark_async, mbarrier_arrive,
                       mbarrier_arrive_expect_tx, mbarrier_init, mbarrier_wait, ready, recv,
                       release, return_, send, sleep, spawn, then, yield_)
from .catalogue import ASYNC_ATTR, CATALOGUE, OpSpec, Placement
from .context import prepare_context
from .diagnostics import CompileError, DiagnosticEngine, Severity
from .types import (future_type, has_value, is_future_type, is_handle_type, is_task_type, task_type,
                    value_type)
from .verifier import is_async_function, verify

__all__ = [
    "ASYNC_ATTR", "CATALOGUE", "CompileError", "DiagnosticEngine", "OpSpec", "Placement",
    "Severity", "async_block", "await_", "block_on", "bulk_load", "bulk_store", "channel_init", "flag_add",
    "flag_store", "flag_wait", "future", "future_type", "has_value", "is_async_function",
    "is_future_type", "is_handle_type", "is_task_type", "mark_async", "mbarrier_arrive",
    "mbarrier_arrive_expect_tx", "mbarrier_init", "mbarrier_wait", "prepare_context", "ready",
    "recv", "release", "return_", "send", "sleep", "spawn", "task_type", "then", "value_type", "verify", "yield_",
]
