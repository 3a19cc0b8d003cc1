"""gasync-verify: check the module against every rule of the dialect."""

from __future__ import annotations

import dataclasses

from mlir import ir

from gasync.dialect.verifier import verify

from .base import ModulePass, PassContext, register


@register
@dataclasses.dataclass(frozen=True)
class VerifyPass(ModulePass):
    name = "gasync-verify"
    summary = "check every gasync op against the catalogue and the dialect's rules"

    def apply(self, module: ir.Operation, ctx: PassContext) -> None:
        verify(module, ctx.diags, allow_unregistered=ctx.allow_unregistered)
