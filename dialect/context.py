"""Preparing an `mlir.ir.Context` for gasync."""

from __future__ import annotations

import sys
import types
import weakref

from mlir import ir

LOADED_DIALECTS = ("builtin", "func", "arith", "scf", "cf", "memref", "gpu", "llvm", "nvvm",
                   "index", "math", "vector")
"""The upstream dialects gasync IR and its lowering use; loaded up front."""

_CALLER_ALLOWS_UNREGISTERED: "weakref.WeakKeyDictionary[ir.Context, bool]" = \
    weakref.WeakKeyDictionary()


def prepare_context(context: ir.Context | None = None) -> ir.Context:
    """Make `context` (or a new one) accept gasync IR; returns it.

    What it changes, and why:

    - `context.allow_unregistered_dialects` becomes True. The gasync dialect
      is a Python catalogue over MLIR's generic op form (docs/design.md), and
      MLIR has no per-namespace switch: a context accepts every unregistered
      namespace or none. The caller's own policy for *other* unregistered
      dialects is kept where gasync can keep it: the value the flag had
      before the first `prepare_context` call is remembered
      (`caller_allows_unregistered`), and gasync-verify rejects ops and
      types of unregistered namespaces other than gasync unless it was True.
      MLIR's parser and verifier themselves can no longer tell the two apart.
    - The upstream dialects in `LOADED_DIALECTS` are loaded (all dialects
      are registered by the bindings already; loading them is idempotent).
    - `mlir.dialects.gasync` is set to an empty module in `sys.modules`: the
      bindings look for `mlir.dialects.<namespace>` to wrap every op of an
      unregistered namespace and do not remember a failed import, which cost
      25-30% of a compile. Nothing else is named `mlir.dialects.gasync`.

    Nothing else about the context changes (multithreading, diagnostic
    handlers and the current location are the caller's); calling it twice is
    harmless.
    """
    sys.modules.setdefault("mlir.dialects.gasync", types.ModuleType("mlir.dialects.gasync"))
    context = context or ir.Context()
    if context not in _CALLER_ALLOWS_UNREGISTERED:
        _CALLER_ALLOWS_UNREGISTERED[context] = context.allow_unregistered_dialects
    context.allow_unregistered_dialects = True
    for name in LOADED_DIALECTS:
        context.get_dialect_descriptor(name)
    return context


def caller_allows_unregistered(context: ir.Context) -> bool:
    """Whether `context` allowed unregistered dialects before gasync prepared it
    (its current setting if it was never prepared)."""
    return _CALLER_ALLOWS_UNREGISTERED.get(context, context.allow_unregistered_dialects)
