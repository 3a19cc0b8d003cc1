"""Preparing an `mlir.ir.Context` for gasync."""

from __future__ import annotations

from mlir import ir


def prepare_context(context: ir.Context | None = None) -> ir.Context:
    """Make `context` (or a new one) accept gasync IR; returns it.

    The gasync dialect is a Python catalogue over MLIR's generic op form
    (DESIGN.md section 1), so the context must allow the unregistered
    `gasync` namespace; our verifier then rejects ops of any other
    unregistered namespace unless asked not to. Every upstream dialect is
    available through the bindings' registration of all dialects.
    """
    context = context or ir.Context()
    context.allow_unregistered_dialects = True
    for name in ("builtin", "func", "arith", "scf", "cf", "memref", "gpu", "llvm", "nvvm", "index", "math", "vector"):
        context.get_dialect_descriptor(name)
    return context
