"""Preparing an `mlir.ir.Context` for gasync."""

from __future__ import annotations

import sys
import types

from mlir import ir


def prepare_context(context: ir.Context | None = None) -> ir.Context:
    """Make `context` (or a new one) accept gasync IR; returns it.

    The gasync dialect is a Python catalogue over MLIR's generic op form
    (DESIGN.md section 1), so the context must allow the unregistered
    `gasync` namespace; our verifier then rejects ops of any other
    unregistered namespace unless asked not to. Every upstream dialect is
    available through the bindings' registration of all dialects.
    """
    # The bindings look for `mlir.dialects.<namespace>` to wrap every op of an
    # unregistered namespace, and do not remember a failed import: for gasync
    # ops that was 25-30% of a compile. An empty module stops the search.
    sys.modules.setdefault("mlir.dialects.gasync", types.ModuleType("mlir.dialects.gasync"))
    context = context or ir.Context()
    context.allow_unregistered_dialects = True
    for name in ("builtin", "func", "arith", "scf", "cf", "memref", "gpu", "llvm", "nvvm", "index", "math", "vector"):
        context.get_dialect_descriptor(name)
    return context
